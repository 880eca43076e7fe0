/**
 * The Pulumi program run the way `pulumi up` runs it: through @pulumi/pulumi's
 * own run entry (cmd/run) with Pulumi.yaml's nodeargs, main and typescript
 * options, against our resource monitor (the SDK's generated gRPC stubs)
 * answering like the Docker provider. Then the same with Pulumi.yaml broken
 * two ways, which must fail.
 */
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgram, shellSplit } from '../src/plan/run-program';
import { endOverlays, getStep } from '../src/steps/manifest';
import { makeTree } from '../src/steps/tree';

const REPO = join(__dirname, '..', '..');
jest.setTimeout(120_000);

test('nodeargs are split as the language host splits them', () => {
  expect(shellSplit('--import tsx')).toEqual(['--import', 'tsx']);
  expect(shellSplit(`--import "a b" --x='c'd`)).toEqual(['--import', 'a b', '--x=cd']);
  expect(shellSplit('')).toEqual([]);
});

describe('infra/ through the SDK run entry', () => {
  let run: Awaited<ReturnType<typeof runProgram>>;
  beforeAll(async () => {
    // The working tree's infra/ is the start of step 1 (it declares nothing yet): run the program as step 1 leaves it.
    const tree = await makeTree(REPO, `entry-point-step1-${process.pid}`, endOverlays(getStep(1)));
    run = await runProgram(join(tree, 'infra')).finally(() => rm(tree, { recursive: true, force: true }));
  });

  test('the program runs to the end and registers the whole system', () => {
    expect(run.code).toBe(0);
    const types = run.resources.map((r) => r.type);
    expect(types[0]).toBe('pulumi:pulumi:Stack');
    expect(types.filter((t) => t === 'docker:index/network:Network')).toHaveLength(1);
    expect(types.filter((t) => t === 'docker:index/image:Image')).toHaveLength(5);
    expect(types.filter((t) => t === 'docker:index/container:Container')).toHaveLength(7);
    expect(run.stackOutputs.gatewayUrl).toBe('http://127.0.0.1:3000');
  });

  test('containers run the built images by their sha256 id, and depend on them and on the backing containers', () => {
    const byName = new Map(run.resources.map((r) => [`${r.type}/${r.name}`, r]));
    const mail = byName.get('docker:index/container:Container/mail-1')!;
    const image = byName.get('docker:index/image:Image/mail')!;
    expect(image.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(mail.inputs.image).toBe(image.id);
    for (const backing of ['redis', 'maildev', 'push-sink']) {
      expect(mail.dependencies).toContain(byName.get(`docker:index/container:Container/${backing}`)!.urn);
    }
    expect(mail.inputs).toMatchObject({ wait: true, name: 'workshop-mail-1' });
  });
});

describe('a broken Pulumi.yaml fails the run', () => {
  let scratch: string;
  const copy = async (edit: (yaml: string) => string) => {
    const dir = await mkdtemp(join(scratch, 'infra-'));
    await cp(join(REPO, 'infra'), dir, { recursive: true, filter: (f) => !f.includes('node_modules') });
    // The program's packages, where a copy under the repository would find them.
    await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    await writeFile(join(dir, 'Pulumi.yaml'), edit(await readFile(join(dir, 'Pulumi.yaml'), 'utf8')));
    return dir;
  };
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'entry-point-'));
    await mkdir(scratch, { recursive: true });
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  test('without nodeargs, node cannot load index.ts (typescript: false, no tsx)', async () => {
    const dir = await copy((y) => y.replace(/^\s*nodeargs: .*\n/m, ''));
    const broken = await runProgram(dir);
    expect(broken.code).not.toBe(0);
    // Node strips the types itself, but without tsx the extensionless imports do not resolve.
    expect(broken.output).toMatch(/Cannot find module .*components\/broker/);
    expect(broken.resources.filter((r) => r.custom)).toHaveLength(0);
  });

  test('with main naming a file that does not exist', async () => {
    const dir = await copy((y) => y.replace(/^main: index\.ts$/m, 'main: program.ts'));
    const broken = await runProgram(dir);
    expect(broken.code).not.toBe(0);
    expect(broken.output).toMatch(/ENOENT.*program\.ts/);
  });
});

test('no broker publishes a port, and whatever is published listens on 127.0.0.1 only', async () => {
  // The code at the end of step 3 starts NATS (and Redis beside it as the store of step 5).
  const tree = await makeTree(REPO, `entry-point-${process.pid}`, endOverlays(getStep(3)));
  const run = await runProgram(join(tree, 'infra'), { config: { transport: 'nats', idempotencyStore: true } }).finally(
    () => rm(tree, { recursive: true, force: true }),
  );
  expect(run.code).toBe(0);
  const containers = run.resources.filter((r) => r.type === 'docker:index/container:Container');
  const brokers = containers.filter((c) => c.name === 'nats' || c.name === 'redis');
  expect(brokers.map((b) => b.name).sort()).toEqual(['nats', 'redis']);
  for (const b of brokers) expect((b.inputs.ports as unknown[] | undefined) ?? []).toEqual([]);
  const published = containers.flatMap((c) => (c.inputs.ports as { ip?: string }[] | undefined) ?? []);
  expect(published.length).toBeGreaterThan(0);
  for (const p of published) expect(p.ip).toBe('127.0.0.1');
});
