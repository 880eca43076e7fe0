/**
 * What a Docker engine and `pulumi up` refuse, checked on the plan: two
 * containers with one name, two containers on one host port, two service
 * containers with one Pulumi resource name. Under mocks nothing refuses them
 * (the mocks create whatever they are asked for), so a program that could
 * never be deployed would otherwise pass.
 */
import { describe } from '../plan';
import type { Plan, PlanContainer, PlanPort } from '../plan';
import { SERVICE_NAMES } from '../runtime/topology';
import { check, GradeError } from './expect';
import { gradedPlan, type StackConfig } from './plan';

/** Groups of two or more items sharing a key. */
function repeated<T>(items: T[], keyOf: (item: T) => string | undefined): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key !== undefined) groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups].filter(([, group]) => group.length > 1);
}

const whose = (containers: PlanContainer[]) => [...new Set(containers.map((c) => c.role ?? 'unknown'))].join(' and ');
const names = (containers: PlanContainer[]) => containers.map(describe).join(', ');

/** Docker container names are unique per engine: the second `docker create --name` with a taken name fails. */
export function checkDistinctContainerNames(plan: Plan): void {
  const clashes = repeated(plan.containers, (c) => c.name);
  check(clashes.length === 0, () =>
    clashes
      .map(
        ([name, group]) =>
          `The ${whose(group)} containers ${names(group)} all have the Docker container name "${name}": ` +
          'Docker refuses a container whose name is taken, so `pulumi up` would create the first and fail on the next. ' +
          'Give each replica its own container name (the name of the container NestService declares).',
      )
      .join('\n'),
  );
}

/** A host address and port published by one container only: `0.0.0.0` (no ip) takes the port on every address. */
export function checkDistinctHostPorts(plan: Plan): void {
  const published = plan.containers.flatMap((c) =>
    c.ports.filter((p) => p.external !== undefined).map((port) => ({ c, port })),
  );
  const where = (p: PlanPort) => `${p.external}/${p.protocol ?? 'tcp'}`;
  const clashes = repeated(published, ({ port }) => where(port)).filter(([, group]) => {
    // Two specific addresses that differ can share a port; the same address, or every address, cannot.
    const ips = group.map(({ port }) => port.ip ?? '0.0.0.0');
    return ips.includes('0.0.0.0') || new Set(ips).size < ips.length;
  });
  check(clashes.length === 0, () =>
    clashes
      .map(([, group]) => {
        const cs = group.map(({ c }) => c);
        return (
          `The ${whose(cs)} containers ${names(cs)} all publish host port ${group[0].port.external}: ` +
          'a host port is bound by one container only (Docker answers "port is already allocated" for the next). ' +
          'Give each replica of an HTTP service its own host port (replica i on the given host port + i).'
        );
      })
      .join('\n'),
  );
}

/**
 * A resource's URN is its stack, project, parent's type, type and name (not
 * its parent's name): two service containers with one resource name, both
 * children of a NestService, have one URN, and `pulumi up` stops on it.
 */
export function checkDistinctResourceNames(plan: Plan): void {
  const services = plan.containers.filter((c) => (SERVICE_NAMES as readonly string[]).includes(c.role ?? ''));
  const clashes = repeated(services, (c) => c.resource);
  check(clashes.length === 0, () =>
    clashes
      .map(
        ([resource, group]) =>
          `The ${whose(group)} containers ${names(group)} are all declared with the Pulumi resource name "${resource}": ` +
          "a URN holds the resource's type, its parent's type and its name, not its parent's name, so " +
          '`pulumi up` would stop on a duplicate URN. Give each replica its own resource name, unique across services ' +
          '(the first argument of new docker.Container).',
      )
      .join('\n'),
  );
}

/** A value shown as a whole token of a message: "0" in "value '0' is", not in "10" or "2.0". */
function namesValue(message: string, value: string): boolean {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\d.])${escaped}(?![\\d]|\\.\\d)`).test(message);
}

/**
 * The program, read with `key` set to a bad `value` (on top of `base`), must
 * stop with an error that names the key and the value, as `pulumi up` would
 * print it, rather than declare a system from it.
 */
export async function checkConfigRefused(
  key: string,
  value: string | number,
  why: string,
  base: StackConfig = {},
): Promise<void> {
  const shown = String(value);
  let message: string;
  try {
    const plan = await gradedPlan({ ...base, [key]: value });
    const services = SERVICE_NAMES.map((s) => `${plan.containers.filter((c) => c.role === s).length} ${s}`).join(', ');
    throw new GradeError(
      `With ${key}=${shown} in the stack config, your program carried on and declared ${services} container(s): ${why} ` +
        `It should stop with an error that names ${key} and the value ${shown} (infra/config.ts, where the counts are read).`,
    );
  } catch (error) {
    if (!(error instanceof GradeError) || error.message.startsWith(`With ${key}=`)) throw error;
    message = error.message;
  }
  // Only what the program said: the tree's path and the "(at file:line)" around it hold digits of their own.
  const said = message.replace(/^[\s\S]*?under mocks failed: /, '').replace(/\(at [^)]*\)/g, '');
  check(
    said.includes(key) && namesValue(said, shown),
    `With ${key}=${shown} in the stack config, your program stopped, but its error should name the key (${key}) and the value it got (${shown}), so that whoever set it knows what to fix. It said: ${message}`,
  );
}
