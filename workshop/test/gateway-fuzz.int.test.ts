/**
 * Fuzzing the gateway's POST /users with generated bad bodies (fast-check,
 * seeded): wrong types, huge strings, deep nesting, prototype keys, invalid
 * UTF-8, wrong content types, truncated JSON, control characters, bad
 * emails. Each gets a 4xx with a readable message; the gateway neither
 * crashes nor holds on to sockets, logs no stack trace, and a valid user is
 * still created afterwards. Real processes: Redis, the user service, the
 * gateway.
 */
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { buildServices } from '../src/runtime/build';
import { Fleet } from '../src/runtime/fleet';
import { defaultLogDir } from '../src/runtime/local-runtime';
import { topology } from '../src/runtime/topology';
import { ManagedProcess } from '../src/runtime/managed-process';
import { freePort } from '../src/runtime/ports';
import { requireTool } from '../src/runtime/tools';
import { createUser } from '../src/grading/traffic';
import { badRequests, readableMessage, send, type BadRequest } from './fuzz/bodies';

const REPO = join(__dirname, '..', '..');
const RUNS = 1_500;
const SEED = 1313;
const VALID = { email: 'ada@example.com', name: 'Ada Lovelace' };

const logDir = defaultLogDir(REPO);
let redis: ManagedProcess;
let fleet: Fleet;
let gatewayPid: number;

beforeAll(async () => {
  await mkdir(logDir, { recursive: true });
  const buildDir = await buildServices(REPO);
  const port = await freePort();
  redis = new ManagedProcess({
    name: 'redis',
    command: requireTool('redis-server'),
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    logFile: join(logDir, 'redis.log'),
  });
  await redis.waitForLine(/Ready to accept connections/);
  // Only the gateway and the user service: no consumer is needed to create a user.
  fleet = await Fleet.start(
    topology('redis', 0, 0),
    { redisUrl: `redis://127.0.0.1:${port}`, smtpUrl: 'smtp://127.0.0.1:9', mailDevUrl: '', pushSinkUrl: '' },
    buildDir,
    logDir,
  );
  gatewayPid = fleet.list('gateway')[0].process!.pid!;
});

afterAll(async () => {
  await fleet?.stop();
  await redis?.stop();
});

const openFiles = async (pid: number) => (await readdir(`/proc/${pid}/fd`)).length;

/** Bodies only the gateway refuses: a name with a control character, an email that is not one. */
const gatewayOnly: fc.Arbitrary<BadRequest>[] = [
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0, max: 0x1f }), fc.string({ maxLength: 20 }))
    .map(([a, code, b]) => ({ ...VALID, name: `Ada${a}${String.fromCharCode(code)}${b}x` }))
    .map((body) => ({
      kind: 'control character',
      body: new TextEncoder().encode(JSON.stringify(body)),
      contentType: 'application/json',
    })),
  fc
    .string({ maxLength: 40 })
    .filter((s) => !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(s))
    .map((email) => ({
      kind: 'bad email',
      body: new TextEncoder().encode(JSON.stringify({ ...VALID, email })),
      contentType: 'application/json',
    })),
];

test(`${RUNS} generated bad bodies: each a 4xx with a readable message; then a valid user is still created`, async () => {
  const url = `${fleet.gatewayUrl}/users`;
  await createUser(fleet.gatewayUrl, VALID.email, VALID.name); // warm: the first answer opens connections
  const filesBefore = await openFiles(gatewayPid);
  const kinds = new Map<string, number>();

  await fc.assert(
    fc.asyncProperty(badRequests(VALID, 'name', ...gatewayOnly), async (request) => {
      kinds.set(request.kind, (kinds.get(request.kind) ?? 0) + 1);
      const { status, json } = await send(url, request);
      const message = readableMessage((json as { message?: unknown } | undefined)?.message);
      if (status < 400 || status > 499 || !message) {
        throw new Error(`${request.kind}: answered ${status} ${JSON.stringify(json)?.slice(0, 300)}`);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );

  expect(fleet.list('gateway')[0].process?.running).toBe(true);
  const user = await createUser(fleet.gatewayUrl, 'grace@example.com', 'Grace Hopper');
  expect(user.name).toBe('Grace Hopper');
  // Sockets answered and closed are released: a few descriptors of slack for keep-alive.
  expect(await openFiles(gatewayPid)).toBeLessThanOrEqual(filesBefore + 10);
  const log = await readFile(join(logDir, 'gateway-1.log'), 'utf8');
  expect(log).not.toMatch(/\n\s+at /); // no stack trace: nothing reached Nest's 500 handler
  console.log(`gateway fuzz: ${RUNS} bodies, by kind: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
});
