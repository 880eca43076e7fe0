/**
 * A process the runtime starts and waits on: its readiness line is found
 * whether or not the tool coloured it (tools colour their output when CI or
 * FORCE_COLOR is set, even into a pipe: VitePress prints "Local:" in bold).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from '../src/runtime/managed-process';

let scratch: string;
beforeAll(() => (scratch = mkdtempSync(join(tmpdir(), 'managed-process-'))));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function printer(script: string): ManagedProcess {
  return new ManagedProcess({
    name: 'printer',
    command: process.execPath,
    args: ['-e', script],
    logFile: join(scratch, 'printer.log'),
  });
}

test('finds a coloured ready line, and returns it without the colour codes', async () => {
  const p = printer(
    "console.log('  \\u001b[32m➜\\u001b[39m  \\u001b[1mLocal\\u001b[22m:   \\u001b[36mhttp://127.0.0.1:5173/\\u001b[39m'); setTimeout(() => {}, 5000)",
  );
  try {
    expect(await p.waitForLine(/Local:\s+(http\S+)/)).toBe('  ➜  Local:   http://127.0.0.1:5173/');
    // What the process printed is kept as it was (the terminal shows the colours).
    expect(p.output().some((l) => l.includes('\u001b[1mLocal'))).toBe(true);
  } finally {
    await p.stop();
  }
});

test('still fails early, with the output, when the process exits without the line', async () => {
  const p = printer("console.log('\\u001b[31mno server here\\u001b[39m'); process.exit(3)");
  await expect(p.waitForLine(/Local:/, 5_000)).rejects.toThrow(/printer exited \(code 3\)[\s\S]*no server here/);
});
