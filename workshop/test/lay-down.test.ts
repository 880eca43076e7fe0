import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { layDown } from '../src/steps/lay-down';

async function put(root: string, file: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, file)), { recursive: true });
  await writeFile(join(root, file), text);
}

describe('layDown', () => {
  let root: string;
  let overlay: string;
  const made: string[] = [];
  const scratch = async (name: string) => {
    const dir = await mkdtemp(join(tmpdir(), `lay-down-${name}-`));
    made.push(dir);
    return dir;
  };
  beforeEach(async () => {
    root = await scratch('root');
    overlay = await scratch('overlay');
  });
  afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

  test('backs up every file it replaces, then writes the overlay', async () => {
    await put(root, 'services/mail/src/main.ts', 'my own work');
    await put(overlay, 'services/mail/src/main.ts', 'the starter');
    await put(overlay, 'infra/new.ts', 'a new file');

    const result = await layDown(root, [overlay], 'start-3');

    expect(result.written).toEqual(['infra/new.ts', 'services/mail/src/main.ts']);
    expect(await readFile(join(root, 'services/mail/src/main.ts'), 'utf8')).toBe('the starter');
    expect(result.backupDir).toContain(join('.workshop', 'backups'));
    expect(result.backupDir).toMatch(/start-3$/);
    expect(await readFile(join(result.backupDir!, 'services/mail/src/main.ts'), 'utf8')).toBe('my own work');
  });

  test('later overlays win, and unchanged files are neither written nor backed up', async () => {
    await put(root, 'a.ts', 'final');
    const second = await scratch('second');
    await put(overlay, 'a.ts', 'first');
    await put(second, 'a.ts', 'final');

    const result = await layDown(root, [overlay, second], 'solve-1');

    expect(result.written).toEqual([]);
    expect(result.backupDir).toBeUndefined();
  });
});
