/**
 * The container check (CI): the plan of the program with the CI
 * configuration (NATS, 2 mail + 2 push replicas; .ci/container-check.config.yaml)
 * started in a real Docker engine
 * through the Engine API, on images built on this machine with no registry.
 * Users go to the gateway; each must get exactly one email (MailDev) and one
 * push (push sink). From inside a service container, the NATS broker must
 * refuse a client without its token and let in one with it. Everything it
 * created is removed, pass or fail.
 *
 *   npx tsx workshop/src/ci/container-check.ts [users]
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cp, mkdir, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { readPlan, replicasOf, type Plan, type PlanContainer } from '../plan';
import { freePort } from '../runtime/ports';
import { SERVICE_NAMES } from '../runtime/topology';
import { endOverlays, getStep } from '../steps/manifest';
import { makeTree } from '../steps/tree';
import { GiveUp, waitFor } from '../runtime/wait';
import { MailDevClient, PushSinkClient, describeReplicas } from '../grading/sinks';
import { createUsers, settle } from '../grading/traffic';
import { DockerEngine, containerSpec } from '../runtime/docker-engine';
import { contextTar } from './build-context';
import { buildLocalImages, type LocalImages } from './local-images';

const CHECK_LABEL = 'workshop.check';
const REPO_ROOT = join(__dirname, '..', '..', '..');

/** The CI configuration (.ci/container-check.config.yaml): config keys as a stack file has them. */
export function ciConfig(repo: string): Record<string, string> {
  const load = (createRequire(require.resolve('@pulumi/pulumi'))('js-yaml') as { load(t: string): unknown }).load;
  const file = load(readFileSync(join(repo, '.ci', 'container-check.config.yaml'), 'utf8')) as {
    config?: Record<string, unknown>;
  };
  return Object.fromEntries(Object.entries(file.config ?? {}).map(([k, v]) => [k, String(v)]));
}

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/**
 * Builds each image the plan builds the way Pulumi's Docker provider does:
 * through the Engine API, a tar of the context (.dockerignore applied, the
 * Dockerfile kept), BuildKit when the engine has it, the plan's build args
 * plus the local images' (offline npm cache), with no network.
 */
async function buildImages(
  engine: DockerEngine,
  plan: Plan,
  buildArgs: Record<string, string>,
  log: (s: string) => void,
): Promise<void> {
  const buildKit = await engine.hasBuildKit();
  for (const image of plan.images) {
    const { build } = image;
    if (!build) continue;
    const started = Date.now();
    const dockerfile = build.dockerfile ?? join(build.context, 'Dockerfile');
    await engine.build(contextTar(build.context, dockerfile), {
      tag: image.imageName,
      dockerfile: relative(build.context, dockerfile),
      buildArgs: { ...build.args, ...buildArgs },
      target: build.target,
      buildKit,
      network: 'none',
    });
    log(`  built ${image.imageName} (${buildKit ? 'BuildKit' : 'classic builder'}, Engine API, ${elapsed(started)})`);
  }
}

async function waitHealthy(engine: DockerEngine, ids: Map<PlanContainer, string>, timeoutMs: number): Promise<void> {
  const pending = new Map(ids);
  await waitFor(
    async () => {
      for (const [c, id] of pending) {
        const state = await engine.inspect(id);
        const health = state.State.Health?.Status;
        if (!state.State.Running && state.RestartCount > 2) {
          throw new GiveUp(`${c.name ?? c.resource} keeps exiting:\n${await engine.logs(id, 20)}`);
        }
        if (health === 'healthy' || (!health && state.State.Running)) pending.delete(c);
      }
      return pending.size === 0;
    },
    { what: 'the containers to be healthy', timeoutMs, intervalMs: 500 },
  ).catch(async (error: unknown) => {
    const lines: string[] = [];
    for (const [c, id] of pending)
      lines.push(`--- ${c.name ?? c.resource} (not healthy):\n${await engine.logs(id, 20)}`);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${lines.join('\n')}`);
  });
}

async function waitReady(engine: DockerEngine, ids: Map<PlanContainer, string>): Promise<void> {
  for (const [c, id] of ids) {
    await waitFor(async () => /ready:/.test(await engine.logs(id, 200)), {
      what: `${c.name ?? c.resource} to print "ready:"`,
      timeoutMs: 60_000,
      intervalMs: 500,
    }).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}; its last lines:\n${await engine.logs(id, 20)}`);
    });
  }
}

export async function containerCheck(
  repo: string,
  users = 20,
  log: (s: string) => void = console.log,
): Promise<number> {
  const started = Date.now();
  const engine = new DockerEngine();
  if (!(await engine.ping())) {
    log(`container check: no Docker engine answers on ${engine.socketPath}: start dockerd first`);
    return 1;
  }
  log(`container check: Docker ${(await engine.version()).Version}`);

  const step = Date.now();
  const images = buildLocalImages(repo, (s) => log(`  ${s}`));
  log(`local images ready (${elapsed(step)})`);

  // The code at the end of step 3 (queue groups), with what the Docker build context needs beside it.
  const overlays = endOverlays(getStep(3, repo), repo).filter((dir) => existsSync(dir));
  const tree = await makeTree(repo, 'container-check', overlays);
  for (const file of [
    'package.json',
    'package-lock.json',
    'tsconfig.base.json',
    '.dockerignore',
    'workshop-docs/package.json',
  ]) {
    await mkdir(dirname(join(tree, file)), { recursive: true });
    await cp(join(repo, file), join(tree, file));
  }
  try {
    return await checkTree(engine, tree, images, users, started, log);
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
}

/**
 * A NATS client in a service container (on the stack's network: the broker
 * publishes no port): `without-token` connects with no token, `with-token`
 * with the container's NATS_TOKEN. Exits 0 when let in, 3 when refused for
 * its credentials (the client's AuthorizationError), 1 on anything else.
 */
const NATS_PROBE = `
const { connect } = require('@nats-io/transport-node');
const token = process.argv[1] === 'with-token' ? process.env.NATS_TOKEN : undefined;
connect({ servers: process.env.NATS_URL, token, maxReconnectAttempts: 0 }).then(
  (nc) => nc.close().then(() => process.exit(0)),
  (error) => process.exit(error && error.name === 'AuthorizationError' ? 3 : 1),
);`;

/** The NATS broker requires its token: refused without it, let in with it (empty: it does; no NATS client, nothing to say). */
async function natsTokenProblems(
  engine: DockerEngine,
  serviceIds: Map<PlanContainer, string>,
  log: (s: string) => void,
): Promise<string[]> {
  const probe = [...serviceIds].find(([c]) => c.env.NATS_URL !== undefined);
  if (!probe) return [];
  const [c, id] = probe;
  const without = await engine.exec(id, ['node', '-e', NATS_PROBE, 'without-token']);
  const withToken = await engine.exec(id, ['node', '-e', NATS_PROBE, 'with-token']);
  const problems: string[] = [];
  if (without !== 3)
    problems.push(
      `from ${c.replicaId}, a NATS client without the token was ${without === 0 ? 'let in' : `not refused for it (exit ${without})`}: the broker should require it (--auth)`,
    );
  if (withToken !== 0)
    problems.push(`from ${c.replicaId}, a NATS client with its NATS_TOKEN was not let in (exit ${withToken})`);
  if (!problems.length) log(`NATS from ${c.replicaId}: refused without the token, let in with it`);
  return problems;
}

async function checkTree(
  engine: DockerEngine,
  tree: string,
  images: LocalImages,
  users: number,
  started: number,
  log: (s: string) => void,
): Promise<number> {
  // The plan with the CI configuration, on host ports free right now.
  const [gatewayPort, mailDevPort, pushSinkPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const plan = await readPlan(join(tree, 'infra'), {
    stack: 'ci',
    config: { ...ciConfig(REPO_ROOT), gatewayPort, mailDevPort, pushSinkPort },
  });
  const count = (s: (typeof SERVICE_NAMES)[number]) => replicasOf(plan, s).length;
  log(
    `plan (CI configuration, read in ${plan.millis} ms): transport ${plan.config['workshop:transport']}, ` +
      SERVICE_NAMES.map((s) => `${s} ${count(s)}`).join(', ') +
      `, ${plan.containers.length} containers, ${plan.images.length} images to build`,
  );
  const problems: string[] = [];
  if (count('mail') < 2 || count('push') < 2)
    problems.push('the CI configuration should run at least 2 mail and 2 push replicas');
  const byImage = new Map([images.base, images.redis, images.nats, images.mailDev].map((i) => [i, true]));
  for (const c of plan.containers) {
    if (!c.build && !byImage.has(c.image)) problems.push(`${c.resource} runs ${c.image}, which is not a local image`);
  }
  if (problems.length) {
    log(`container check: the CI configuration is not what it should be: ${problems.join('; ')}`);
    return 1;
  }

  let step = Date.now();
  await buildImages(engine, plan, images.buildArgs, log);
  log(`service images built (${elapsed(step)})`);

  const runId = randomBytes(4).toString('hex');
  const labels = { [CHECK_LABEL]: runId };
  const teardown = async () => {
    const removed = await engine.removeByLabel(CHECK_LABEL, runId);
    log(`teardown: removed ${removed} containers and the network`);
  };
  const onSignal = () => {
    void teardown().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    step = Date.now();
    for (const n of plan.networks) await engine.createNetwork(n.name, labels);
    const backing = plan.containers.filter((c) => c.replicaId === undefined);
    const services = plan.containers.filter((c) => c.replicaId !== undefined);
    const start = async (cs: PlanContainer[]) => {
      const ids = new Map<PlanContainer, string>();
      for (const c of cs) {
        const id = await engine.createContainer(c.name ?? `${c.resource}-${runId}`, containerSpec(c, labels));
        await engine.start(id);
        ids.set(c, id);
      }
      return ids;
    };
    const backingIds = await start(backing);
    await waitHealthy(engine, backingIds, 60_000);
    const serviceIds = await start(services);
    await waitReady(engine, serviceIds);
    await waitHealthy(engine, serviceIds, 60_000);
    log(`${plan.containers.length} containers up and healthy (${elapsed(step)})`);

    step = Date.now();
    const gatewayUrl = String(plan.outputs.gatewayUrl);
    const mail = new MailDevClient(String(plan.outputs.mailDevUrl));
    const push = new PushSinkClient(String(plan.outputs.pushSinkUrl));
    const created = await createUsers(gatewayUrl, users, { prefix: 'container-check' });
    const emails = await settle(() => mail.deliveries(), users);
    const pushes = await settle(() => push.deliveries(), users);
    log(
      `${users} users: ${emails.total} emails (${describeReplicas(emails.perReplica)}), ${pushes.total} pushes (${describeReplicas(pushes.perReplica)}) (${elapsed(step)})`,
    );

    const failures: string[] = await natsTokenProblems(engine, serviceIds, log);
    if (emails.total !== users) failures.push(`${emails.total} emails for ${users} users`);
    if (pushes.total !== users) failures.push(`${pushes.total} pushes for ${users} users`);
    for (const u of created) {
      if (emails.perUser.get(u.id) !== 1) failures.push(`${u.email} got ${emails.perUser.get(u.id) ?? 0} emails`);
      if (pushes.perUser.get(u.id) !== 1) failures.push(`${u.email} got ${pushes.perUser.get(u.id) ?? 0} pushes`);
    }
    for (const c of [...replicasOf(plan, 'mail'), ...replicasOf(plan, 'push')]) {
      const tally = c.role === 'mail' ? emails : pushes;
      if (!tally.perReplica.get(c.replicaId!))
        failures.push(`${c.replicaId} handled no event (is it in the queue group?)`);
    }
    if (failures.length) {
      log(`container check: FAIL: ${failures.slice(0, 10).join('; ')}`);
      return 1;
    }
    log(`container check: pass, one email and one push per user, NATS only for its token (${elapsed(started)} in all)`);
    return 0;
  } catch (error) {
    log(`container check: FAIL: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await teardown();
  }
}

if (require.main === module) {
  const users = Number(process.argv[2] ?? 20);
  void containerCheck(join(__dirname, '..', '..', '..'), users).then((code) => process.exit(code));
}
