/**
 * workshop up / down / doctor without the real Pulumi CLI or Docker: a fake
 * `pulumi` script records how it is called, and a fake engine answers
 * /_ping on a unix socket.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnose, doctor, engineWarning, stackPorts } from '../src/commands/doctor';
import { builtImages, DEFAULT_PASSPHRASE, down, pulumiEnv, up } from '../src/commands/pulumi';
import { contextFiles, dockerignore } from '../src/ci/build-context';
import { containerSpec, demuxLogs, nanoseconds } from '../src/runtime/docker-engine';
import type { PlanContainer } from '../src/plan';

const REPO = join(__dirname, '..', '..');
let scratch: string;
let fakeBin: string;
let engine: Server;
let engineSocket: string;
let calls: string;
let engineVersion = '99.0-fake';
let engineDriverStatus: [string, string][] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pulumi-doctor-'));
  fakeBin = join(scratch, 'bin');
  calls = join(scratch, 'calls.log');
  await mkdir(fakeBin);
  await mkdir(join(scratch, 'infra'));
  // A pulumi that writes its arguments, cwd and the backend settings, then fails if asked to.
  await writeFile(
    join(fakeBin, 'pulumi'),
    `#!/bin/sh\necho "$PWD|$PULUMI_BACKEND_URL|$PULUMI_CONFIG_PASSPHRASE|$DOCKER_HOST|$*" >> "${calls}"\n` +
      `case "$*" in *destroy*) exit 3;; esac\nexit 0\n`,
  );
  await chmod(join(fakeBin, 'pulumi'), 0o755);
  engineSocket = join(scratch, 'docker.sock');
  engine = createServer((req, res) => {
    if (req.url === '/_ping') return res.end('OK');
    res.setHeader('content-type', 'application/json');
    if (req.url === '/info') return res.end(JSON.stringify({ DriverStatus: engineDriverStatus }));
    res.end(JSON.stringify({ Version: engineVersion, ApiVersion: '1.99' }));
  });
  await new Promise<void>((resolve) => engine.listen(engineSocket, resolve));
});

afterAll(async () => {
  await new Promise((resolve) => engine.close(resolve));
  await rm(scratch, { recursive: true, force: true });
});

beforeEach(() => rm(calls, { force: true }));

const noPulumi = () => ({ PATH: '/nonexistent', HOME: scratch, DOCKER_HOST: `unix://${engineSocket}` });
const withPulumi = () => ({ PATH: `${fakeBin}:/usr/bin:/bin`, HOME: scratch, DOCKER_HOST: `unix://${engineSocket}` });

async function callsMade(): Promise<string[]> {
  return (await readFile(calls, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
}

describe('without the Pulumi CLI', () => {
  test('up prints one line that says so and how to install it, and exits 1', async () => {
    const lines: string[] = [];
    const code = await up({ env: noPulumi(), log: (l) => lines.push(l) });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]).toMatch(/Pulumi CLI.*not on PATH.*get\.pulumi\.com/);
  });

  test('down says so too', async () => {
    const lines: string[] = [];
    expect(await down({ env: noPulumi(), log: (l) => lines.push(l) })).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/Pulumi CLI/)]);
  });

  test('a CLI the installer put in ~/.pulumi/bin is found even before PATH knows it', async () => {
    const home = join(scratch, 'home');
    await mkdir(join(home, '.pulumi', 'bin'), { recursive: true });
    await writeFile(join(home, '.pulumi', 'bin', 'pulumi'), `#!/bin/sh\necho "$*" >> "${calls}"\n`);
    await chmod(join(home, '.pulumi', 'bin', 'pulumi'), 0o755);
    const code = await up({
      env: { ...noPulumi(), HOME: home, PATH: '/usr/bin:/bin' },
      stdio: 'ignore',
      repo: scratch,
    });
    expect(code).toBe(0);
    expect((await callsMade()).at(-1)).toMatch(/^up --yes/);
  });
});

describe('with the Pulumi CLI', () => {
  test("up selects (or creates) the stack, then runs pulumi up --refresh in infra/ (the backend is Pulumi.yaml's)", async () => {
    const code = await up({ env: withPulumi(), stdio: 'ignore', repo: scratch });
    expect(code).toBe(0);
    const prefix = `${join(scratch, 'infra')}||workshop|unix://${engineSocket}|`;
    expect(await callsMade()).toEqual([
      `${prefix}stack select dev --create --non-interactive`,
      `${prefix}up --yes --non-interactive --refresh --stack dev`,
    ]);
  });

  test("the active docker context's endpoint is probed and handed to Pulumi as DOCKER_HOST", async () => {
    const env = { PATH: `${fakeBin}:/usr/bin:/bin`, HOME: scratch };
    const dockerContext = () => ({
      host: `unix://${engineSocket}`,
      socket: engineSocket,
      source: 'docker context colima',
    });
    expect(await up({ env, dockerContext, stdio: 'ignore', repo: scratch })).toBe(0);
    expect((await callsMade()).at(-1)).toBe(
      `${join(scratch, 'infra')}||workshop|unix://${engineSocket}|up --yes --non-interactive --refresh --stack dev`,
    );
  });

  test('a tcp:// or ssh:// DOCKER_HOST is not probed: Pulumi gets it as it is', async () => {
    const env = { ...withPulumi(), DOCKER_HOST: 'ssh://me@build-box' };
    expect(await up({ env, stdio: 'ignore', repo: scratch })).toBe(0);
    expect((await callsMade()).at(-1)).toMatch(/\|ssh:\/\/me@build-box\|up --yes/);
  });

  test("pulumi's exit code is up's and down's", async () => {
    const lines: string[] = [];
    await mkdir(join(scratch, '.workshop', 'pulumi', '.pulumi'), { recursive: true });
    expect(await down({ env: withPulumi(), stdio: 'ignore', repo: scratch, log: (l) => lines.push(l) })).toBe(3);
    expect((await callsMade()).at(-1)).toMatch(/\|destroy --yes --non-interactive --stack dev$/);
  });

  test('down with nothing deployed says so and succeeds', async () => {
    const lines: string[] = [];
    const repo = await mkdtemp(join(scratch, 'fresh-'));
    expect(await down({ env: withPulumi(), repo, log: (l) => lines.push(l) })).toBe(0);
    expect(lines).toEqual([expect.stringMatching(/nothing to destroy/)]);
    expect(await callsMade()).toEqual([]);
  });

  test('up without a Docker engine says so in one line and does not run pulumi', async () => {
    const lines: string[] = [];
    const env = { ...withPulumi(), DOCKER_HOST: `unix://${join(scratch, 'no-such.sock')}` };
    expect(await up({ env, log: (l) => lines.push(l) })).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/needs a running Docker engine.*no-such\.sock/)]);
    expect(await callsMade()).toEqual([]);
  });

  test("the learner's own passphrase wins; the backend is left to Pulumi.yaml (or the learner's PULUMI_BACKEND_URL)", () => {
    const env = pulumiEnv({ PULUMI_CONFIG_PASSPHRASE: 'mine', PULUMI_BACKEND_URL: 's3://b' });
    expect(env.PULUMI_CONFIG_PASSPHRASE).toBe('mine');
    expect(env.PULUMI_BACKEND_URL).toBe('s3://b');
    expect(pulumiEnv({ PULUMI_CONFIG_PASSPHRASE_FILE: '/p' }).PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
    expect(pulumiEnv({}).PULUMI_BACKEND_URL).toBeUndefined();
    expect(pulumiEnv({}).PULUMI_CONFIG_PASSPHRASE).toBe(DEFAULT_PASSPHRASE);
  });

  test('down removes the images the stack built (the provider leaves them), by the names in its state', () => {
    const exported = JSON.stringify({
      deployment: {
        resources: [
          { type: 'docker:index/image:Image', outputs: { imageName: 'workshop-mail:local' } },
          { type: 'docker:index/container:Container', outputs: { name: 'workshop-mail-1' } },
        ],
      },
    });
    expect(builtImages(exported)).toEqual(['workshop-mail:local']);
    expect(builtImages('not json')).toEqual([]);
  });
});

describe('doctor', () => {
  let busy: TcpServer;
  let repo: string;
  beforeAll(async () => {
    busy = createTcpServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    repo = join(scratch, 'doctor-repo');
    await mkdir(join(repo, 'infra'), { recursive: true });
    await writeFile(
      join(repo, 'infra', 'Pulumi.yaml'),
      `name: workshop\nruntime: nodejs\nconfig:\n  gatewayPort:\n    type: integer\n    default: ${port}\n  pushSinkPort:\n    type: integer\n    default: 1\n`,
    );
    await writeFile(join(repo, 'infra', 'Pulumi.dev.yaml'), 'config:\n  workshop:pushSinkPort: "0"\n');
  });
  afterAll(() => new Promise((resolve) => busy.close(resolve)));

  test('reads the published ports from Pulumi.yaml and the stack file', () => {
    expect(stackPorts(REPO, 'dev')).toEqual({ gatewayPort: 3000, mailDevPort: 1080, pushSinkPort: 8080 });
  });

  test('lists what is missing, each with its fix, and exits 1', async () => {
    const lines: string[] = [];
    const env = { ...noPulumi(), DOCKER_HOST: `unix://${join(scratch, 'no-such.sock')}` };
    const code = await doctor({ env, repo, log: (l) => lines.push(l) });
    expect(code).toBe(1);
    const text = lines.join('\n');
    expect(text).toMatch(/ok +Node\.js +v\d+/);
    expect(text).toMatch(/MISSING +Docker engine .*no-such\.sock: ENOENT.*\n +fix: /);
    expect(text).toMatch(/MISSING +Pulumi CLI +not installed.*\n +fix: install the Pulumi CLI/);
    expect(text).toMatch(/MISSING +redis-server .*\n +fix: install Redis/);
    expect(text).toMatch(/MISSING +port \d+ \(gatewayPort\) +in use.*\n +fix: .*pulumi config set gatewayPort/);
    expect(text).toMatch(/doctor: \d+ thing\(s\) to fix/);
  });

  test('only what the local runtime needs counts: no Docker and no Pulumi still exits 0', async () => {
    const lines: string[] = [];
    const env = {
      PATH: '/usr/bin:/usr/sbin:/bin',
      HOME: scratch,
      DOCKER_HOST: `unix://${join(scratch, 'no-such.sock')}`,
    };
    const code = await doctor({ env, repo, log: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(text).toMatch(/For the workshop[\s\S]*redis-server[\s\S]*Only for `workshop up`[\s\S]*Docker engine/);
    expect(text).toMatch(/doctor: all set \(`workshop up` would need \d+ more\)/);
    expect(code).toBe(0);
  });

  test('reports the engine version and the containerd image store, and warns on releases whose builds fail', async () => {
    engineVersion = '27.4.1';
    engineDriverStatus = [['driver-type', 'io.containerd.snapshotter.v1']];
    try {
      const docker = (await diagnose({ env: withPulumi(), repo })).find((i) => i.name === 'Docker engine')!;
      expect(docker.detail).toMatch(/27\.4\.1 on .* containerd image store on/);
      expect(docker.warning).toMatch(/moby\/moby#47717.*27\.5/);
    } finally {
      engineVersion = '99.0-fake';
      engineDriverStatus = [];
    }
    expect(engineWarning('27.5.0', true)).toBeUndefined();
    expect(engineWarning('26.1.4', false)).toBeUndefined();
    expect(engineWarning('28.0.1', true)).toBeUndefined();
  });

  test('finds the engine and the CLI when they are there', async () => {
    const items = await diagnose({ env: withPulumi(), repo });
    const byName = new Map(items.map((i) => [i.name, i]));
    expect(byName.get('Docker engine')).toMatchObject({ ok: true, detail: expect.stringContaining('99.0-fake') });
    expect(byName.get('Pulumi CLI')).toMatchObject({ ok: true, detail: expect.stringContaining(fakeBin) });
    expect([...byName.keys()].filter((n) => n.startsWith('port '))).toHaveLength(2);
  });
});

describe('the Engine API requests of the container check', () => {
  const container: PlanContainer = {
    resource: 'gateway-1',
    name: 'workshop-gateway-1',
    image: 'workshop-gateway:local',
    env: { PORT: '3000', REPLICA_ID: 'gateway-1' },
    networks: [{ network: 'workshop-net', aliases: ['gateway-1'] }],
    ports: [{ internal: 3000, external: 3000, ip: '127.0.0.1' }],
    labels: { 'workshop.role': 'gateway' },
    restart: 'unless-stopped',
    healthcheck: { tests: ['CMD', 'node', '-e', '1'], interval: '5s', timeout: '3s', retries: 5, startPeriod: '1m30s' },
    role: 'gateway',
    replicaId: 'gateway-1',
  };

  test('a declared container becomes a create request with the same ports, network, aliases and healthcheck', () => {
    expect(containerSpec(container, { 'workshop.check': 'x' })).toMatchObject({
      Image: 'workshop-gateway:local',
      Env: ['PORT=3000', 'REPLICA_ID=gateway-1'],
      Labels: { 'workshop.role': 'gateway', 'workshop.check': 'x' },
      ExposedPorts: { '3000/tcp': {} },
      Healthcheck: { Test: ['CMD', 'node', '-e', '1'], Interval: 5e9, Timeout: 3e9, Retries: 5, StartPeriod: 90e9 },
      HostConfig: {
        PortBindings: { '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: '3000' }] },
        RestartPolicy: { Name: 'unless-stopped' },
        NetworkMode: 'workshop-net',
      },
      NetworkingConfig: { EndpointsConfig: { 'workshop-net': { Aliases: ['gateway-1'] } } },
    });
  });

  test('durations and multiplexed logs', () => {
    expect(nanoseconds('250ms')).toBe(250e6);
    expect(() => nanoseconds('5 seconds')).toThrow(/not a duration/);
    const frame = (stream: number, text: string) => {
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(Buffer.byteLength(text), 4);
      return Buffer.concat([header, Buffer.from(text)]);
    };
    expect(demuxLogs(Buffer.concat([frame(1, 'ready: yes\n'), frame(2, 'oops\n')]))).toBe('ready: yes\noops\n');
  });
});

describe('the build context, as the provider sends it', () => {
  test(".dockerignore's rules: the last match wins, a folder's rule covers what is inside", () => {
    const excluded = dockerignore('*\n!services/\nservices/**/node_modules\nservices/Dockerfile\n');
    expect(excluded('README.md')).toBe(true);
    expect(excluded('services/mail/src/main.ts')).toBe(false);
    expect(excluded('services/mail/node_modules/x/index.js')).toBe(true);
    expect(excluded('services/Dockerfile')).toBe(true);
  });

  test("this repository's context: the services' sources and manifests, the Dockerfile kept, no node_modules", () => {
    const files = contextFiles(REPO, join(REPO, 'services', 'Dockerfile'));
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'services/Dockerfile', '.dockerignore']),
    );
    expect(files.some((f) => f.startsWith('services/mail/src/'))).toBe(true);
    expect(
      files.filter((f) => f.includes('node_modules') || f.startsWith('workshop/') || f.startsWith('infra/index')),
    ).toEqual([]);
  });
});
