/**
 * A lifecycle from plans: the stack at the end of step 1, then `pulumi up`
 * with step 3's code and config (NATS, 2 mail + 2 push), then `pulumi destroy`.
 * Each program is run through the SDK's run entry against our resource
 * monitor (real URNs, dependencies and resource options); the steps follow
 * Pulumi's documented semantics:
 * - a resource of the new program with no old URN is created after what it
 *   depends on; an old one the new program lacks is deleted at the end, after
 *   its dependents;
 * - a changed container is replaced (the Docker provider's container inputs
 *   force a new container), and with deleteBeforeReplace the old one is
 *   deleted before the new one is created (needed: their names are fixed);
 * - destroy deletes dependents before what they depend on.
 * What it cannot prove: the provider's own diff (which changes replace), the
 * image rebuilds, timing, or what the engine does; the container check does
 * the engine part.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runProgram } from '../src/plan/run-program';
import type { RegisteredResource } from '../src/plan/resource-monitor';
import { endOverlays, getStep } from '../src/steps/manifest';
import { makeTree } from '../src/steps/tree';

const REPO = join(__dirname, '..', '..');
jest.setTimeout(180_000);

type Step = { op: 'create' | 'delete'; name: string };
const CONTAINER = 'docker:index/container:Container';

/** Resources in dependency order (dependencies first), by URN. */
function topological(resources: RegisteredResource[]): RegisteredResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const done = new Set<string>();
  const out: RegisteredResource[] = [];
  const visit = (r: RegisteredResource) => {
    if (done.has(r.urn)) return;
    done.add(r.urn);
    const deps = [...r.dependencies, ...Object.values(r.propertyDependencies).flat(), r.parent];
    for (const d of deps) if (byUrn.has(d)) visit(byUrn.get(d)!);
    out.push(r);
  };
  resources.forEach(visit);
  return out;
}

/** The container steps of an update from `before` to `after`. */
function update(before: RegisteredResource[], after: RegisteredResource[]): Step[] {
  const old = new Map(before.filter((r) => r.type === CONTAINER).map((r) => [r.urn, r]));
  const steps: Step[] = [];
  const changed = (a: RegisteredResource, b: RegisteredResource) =>
    JSON.stringify(a.inputs) !== JSON.stringify(b.inputs);
  for (const r of topological(after).filter((x) => x.type === CONTAINER)) {
    const was = old.get(r.urn);
    if (!was) steps.push({ op: 'create', name: r.name });
    else if (changed(was, r)) {
      expect(r.deleteBeforeReplace).toBe(true); // a fixed name: create-first would collide
      steps.push({ op: 'delete', name: r.name }, { op: 'create', name: r.name });
    }
  }
  const kept = new Set(after.map((r) => r.urn));
  for (const r of topological(before).reverse()) {
    if (r.type === CONTAINER && !kept.has(r.urn)) steps.push({ op: 'delete', name: r.name });
  }
  return steps;
}

let step1: RegisteredResource[];
let step3: RegisteredResource[];
const trees: string[] = [];

beforeAll(async () => {
  const tree = async (n: number) => {
    const t = await makeTree(REPO, `lifecycle-${n}-${process.pid}`, endOverlays(getStep(n)));
    trees.push(t);
    return t;
  };
  const [one, three] = await Promise.all([tree(1), tree(3)]);
  const a = await runProgram(join(one, 'infra'));
  const b = await runProgram(join(three, 'infra'), { config: { transport: 'nats', mailReplicas: 2, pushReplicas: 2 } });
  expect([a.code, b.code]).toEqual([0, 0]);
  step1 = a.resources;
  step3 = b.resources;
});

afterAll(() => Promise.all(trees.map((t) => rm(t, { recursive: true, force: true }))));

test('step 1 -> step 3: NATS first, then every service replaced delete-first, new replicas, Redis gone last', () => {
  const steps = update(step1, step3).map((s) => `${s.op} ${s.name}`);
  expect(steps).toEqual([
    'create nats',
    'delete gateway-1',
    'create gateway-1',
    'delete user-1',
    'create user-1',
    'delete mail-1',
    'create mail-1',
    'create mail-2',
    'delete push-1',
    'create push-1',
    'create push-2',
    'delete redis',
  ]);
  // MailDev and the push sink do not change: they stay as they are.
  // Each replaced service comes back after the broker it now uses exists.
  expect(steps.indexOf('create nats')).toBeLessThan(steps.indexOf('create mail-1'));
  // Redis goes only once nothing that used it is left.
  expect(steps.at(-1)).toBe('delete redis');
});

test('destroy: containers before images and the network, the network last', () => {
  const order = topological(step3)
    .reverse()
    .filter((r) => r.custom)
    .map((r) => r.type);
  expect(order.at(-1)).toBe('docker:index/network:Network');
  const lastContainer = order.lastIndexOf(CONTAINER);
  expect(order.slice(lastContainer + 1).every((t) => t !== CONTAINER)).toBe(true);
  expect(order.indexOf('docker:index/image:Image')).toBeGreaterThan(order.indexOf(CONTAINER));
});
