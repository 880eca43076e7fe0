/**
 * The stack outputs a person opens: each is the address on this machine
 * where the container behind it is published (the host port bound to the
 * port it listens on), not its address inside the network. And `containers`,
 * the replica id -> container name map the chaos commands of a deployed
 * stack read.
 */
import { describe, replicasOf, servedBy, type Plan, type PlanContainer } from '../plan';
import { SERVICE_NAMES } from '../runtime/topology';
import { check } from './expect';
import { byRole } from './plan';

/** The port `c` listens on for people: a service's PORT, a backing container's http port. */
function httpPort(c: PlanContainer): number | undefined {
  if (c.env.PORT && !servedBy(c)) return Number(c.env.PORT);
  return servedBy(c)?.['http:'];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/** The output `name` is the http address on this machine of the (first) `role` container. */
export function checkOpenedUrl(plan: Plan, name: string, role: string, what: string): void {
  const [c] = role === 'gateway' ? replicasOf(plan, 'gateway') : byRole(plan, role);
  check(c, `The program declares no ${role} container, whose address the output ${name} should be.`);
  const port = httpPort(c);
  const published = c.ports.find((p) => p.internal === port && p.external !== undefined);
  check(
    published,
    `${describe(c)} does not publish port ${port ?? '(unknown)'}, where it listens: ${what} could not be opened from this machine.`,
  );
  const expected = `http://127.0.0.1:${published.external}`;
  const value = plan.outputs[name];
  check(
    value !== undefined,
    `The program exports no stack output ${name}: export ${what}, ${expected}, from infra/index.ts under that name.`,
  );
  let url: URL | undefined;
  try {
    url = new URL(String(value));
  } catch {
    url = undefined;
  }
  const port80 = url?.port ? Number(url.port) : 80;
  check(
    url?.protocol === 'http:' && LOOPBACK.has(url.hostname) && port80 === published.external,
    `The stack output ${name} is ${JSON.stringify(value)}: expected ${what} on this machine, ${expected} ` +
      `(${describe(c)}'s port ${port} is published on 127.0.0.1:${published.external}). ` +
      'An in-network alias (such as the host name of a service) does not resolve outside Docker.',
  );
}

/** The output `containers` maps each service replica id to its container's Docker name. */
export function checkContainersOutput(plan: Plan): void {
  const value = plan.outputs.containers;
  check(
    value && typeof value === 'object',
    'The program exports no stack output containers (each replica id to its container name): `workshop kill mail-1` on a deployed stack reads it.',
  );
  const map = value as Record<string, unknown>;
  const wrong = SERVICE_NAMES.flatMap((s) => replicasOf(plan, s)).filter(
    (c) => c.replicaId && c.name && map[c.replicaId] !== c.name,
  );
  check(
    wrong.length === 0,
    () =>
      `The stack output containers should map each replica id to its container name: ${wrong
        .map((c) => `${c.replicaId} -> ${c.name} (it has ${JSON.stringify(map[c.replicaId!])})`)
        .join(', ')}.`,
  );
}
