import { linePrinter, prefixLine } from '../../src/runtime/log-prefix';

test('a replica line loses its own [id] prefix and gets the padded column', () => {
  const line = prefixLine('mail-2', 0, '[mail-2] welcome email to ada@example.com (event 1c96a625)', {
    colour: false,
    width: 9,
  });
  expect(line).toBe('mail-2    | welcome email to ada@example.com (event 1c96a625)');
});

test("Nest's stamp of process id and time is dropped, its level and context kept", () => {
  const line = prefixLine(
    'user-1',
    0,
    '[Nest] 29940  - 11/26/2026, 12:53:35 PM     LOG [ClientProxy] Connected to Redis.',
    { colour: false, width: 6 },
  );
  expect(line).toBe('user-1 | LOG [ClientProxy] Connected to Redis.');
});

test("another replica's prefix is kept: only the line's own is redundant", () => {
  expect(prefixLine('mail-1', 0, '[mail-2] x', { colour: false, width: 6 })).toBe('mail-1 | [mail-2] x');
});

test('each replica keeps one colour; two replicas get two', () => {
  const out: string[] = [];
  const print = linePrinter((text) => out.push(text), true);
  print('mail-1', 'a');
  print('mail-2', 'b');
  print('mail-1', 'c');
  const colourOf = (text: string) => (text.startsWith('\u001b[') ? text.slice(2, text.indexOf('m')) : undefined);
  expect(colourOf(out[0])).toBeDefined();
  expect(colourOf(out[0])).toBe(colourOf(out[2]));
  expect(colourOf(out[0])).not.toBe(colourOf(out[1]));
  expect(out[1]).toContain('mail-2    |\u001b[0m b');
});
