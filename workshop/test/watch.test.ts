/** `watch` starts each run with a rule that says when and what changed. */
import { separator } from '../src/commands/watch';

test('each run is separated by a line with the time and the file that changed', () => {
  const line = separator('services/mail/src/main.ts changed', new Date(2026, 0, 2, 14, 2, 11));
  // eslint-disable-next-line no-control-regex -- colour codes start with the ESC control character
  expect(line.replace(/\u001b\[\d+m/g, '')).toMatch(/^──── 14:02:11 {2}services\/mail\/src\/main\.ts changed ─{4,}$/);
});
