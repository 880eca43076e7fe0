/**
 * Infra checks' access to the learner's Pulumi program: its plan (what it
 * declares, read under Pulumi's mocks) for a given configuration, and the
 * wiring rules every step's system must keep.
 */
import { join } from 'node:path';
import {
  planToTopology,
  replicasOf,
  resolveHost,
  unresolvedHosts,
  describe,
  PlanError,
  servedBy,
  SPOKEN,
  whyUnreachable,
  wrongAddresses,
} from '../plan';
import type { Plan, PlanContainer } from '../plan';
import { BROKER_KINDS } from '../runtime/brokers';
import { addressMismatch } from '../runtime/addresses';
import type { BackingKind, ServiceName, Topology } from '../runtime/topology';
import { gradingTree } from './context';
import { readPlanCached } from './plan-cache';
import { check, GradeError } from './expect';
import { timed } from '../cli/progress';

export type StackConfig = Record<string, string | number | boolean>;

const cache = new Map<string, Promise<Plan>>();

/** The stack name the graders evaluate the program as: no Pulumi.<stack>.yaml, only the step's own config. */
export const GRADING_STACK = 'grading';

/** The plan of the graded tree's infra/ with `config` (read once per configuration). */
export function gradedPlan(config: StackConfig = {}): Promise<Plan> {
  const key = JSON.stringify(config);
  if (!cache.has(key)) {
    cache.set(
      key,
      // A stack with no file: the learner's own Pulumi.dev.yaml (set for the step they are on) cannot skew a grade.
      timed(
        'reading your Pulumi program',
        'Pulumi program read',
        readPlanCached(join(gradingTree(), 'infra'), { stack: GRADING_STACK, config }),
      ).catch((error: unknown) => {
        if (error instanceof PlanError) throw new GradeError(error.message);
        throw error;
      }),
    );
  }
  return cache.get(key)!;
}

/** What the local runtime runs for that plan: the learner's Pulumi code decides. */
export async function plannedTopology(config: StackConfig): Promise<Topology> {
  const plan = await gradedPlan(config);
  try {
    return planToTopology(plan);
  } catch (error) {
    if (error instanceof PlanError) throw new GradeError(error.message);
    throw error;
  }
}

export function byRole(plan: Plan, role: string): PlanContainer[] {
  return plan.containers.filter((c) => c.role === role);
}

export function checkReplicas(plan: Plan, service: ServiceName, expected: number, how: string): void {
  const replicas = replicasOf(plan, service);
  check(
    replicas.length === expected,
    `The program declares ${replicas.length} ${service} container(s) (${replicas.map(describe).join(', ') || 'none'}); expected ${expected}. ${how}`,
  );
  const ids = replicas.map((c) => c.replicaId);
  check(
    new Set(ids).size === ids.length && ids.every(Boolean),
    `The ${service} replicas need distinct REPLICA_IDs, they have: ${ids.map((id) => id ?? '(none)').join(', ')}.`,
  );
}

/** Every service's env names hosts it can reach (aliases on its network), on the scheme and port they listen on. */
export function checkHostsResolve(plan: Plan): void {
  const problems = [...unresolvedHosts(plan), ...wrongAddresses(plan)];
  check(problems.length === 0, () => problems.map((p) => p.message).join('\n'));
}

/** No broker is published at all, and published ports are bound to 127.0.0.1. */
export function checkPublishing(plan: Plan): void {
  // The brokers first: a published broker is wrong on any address.
  for (const broker of BROKER_KINDS.flatMap((kind) => byRole(plan, kind))) {
    const published = broker.ports.filter((p) => p.external !== undefined);
    check(
      published.length === 0,
      `${describe(broker)} publishes port(s) ${published.map((p) => p.internal).join(', ')}: the services reach the broker on the network by its alias; nothing outside needs it.`,
    );
  }
  for (const c of plan.containers) {
    for (const port of c.ports.filter((p) => p.external !== undefined)) {
      check(
        port.ip === '127.0.0.1',
        `${describe(c)} publishes port ${port.internal} on ${port.ip ?? 'every address (0.0.0.0)'}: bind it to 127.0.0.1 (ip: '127.0.0.1'), so only this machine reaches it.`,
      );
    }
  }
}

/**
 * The variable `name` of each replica of `service` is the whole address of a
 * `role` container as that replica reaches it: the scheme the service speaks
 * to it, a host name it answers to on a network they share, and the port it
 * listens on for that scheme.
 */
export function checkPointsAt(plan: Plan, service: ServiceName, name: string, role: BackingKind, why: string): void {
  const replicas = replicasOf(plan, service);
  check(
    replicas.length,
    `The program declares no ${service} container, whose ${name} should reach the ${role} container.`,
  );
  for (const c of replicas) {
    const who = describe(c);
    const value = c.env[name];
    check(value, `${who} has no ${name} in its env: ${why}`);
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    check(url?.hostname, `${who}'s ${name}=${value} is not a URL with a host name. ${why}`);
    const host = url.hostname;
    check(
      !LOOPBACK_HOSTS.has(host),
      `${who}'s ${name}=${value} points at ${host}, which inside a container is the container itself: name the ${role} container by its network alias. ${why}`,
    );
    const reached = resolveHost(plan, c, host);
    const targets = reached.filter((t) => t.role === role);
    if (!targets.length) {
      const declared = byRole(plan, role);
      check(
        declared.length,
        `The program declares no ${role} container, which ${who}'s ${name}=${value} should reach. ${why}`,
      );
      const reasons = reached.length
        ? reached.map((t) => `"${host}" is the ${t.role ?? 'unknown'} container ${describe(t)}, not the ${role} one`)
        : whyUnreachable(plan, c, host);
      check(
        false,
        `${who}'s ${name}=${value} should name the ${role} container by a host name it answers to on ${who}'s network` +
          (reasons.length ? `: ${reasons.join('; ')}` : ` ("${host}" is none of them)`) +
          `. ${why}`,
      );
    }
    const spoken = SPOKEN[role];
    check(
      url.protocol === spoken,
      `${who}'s ${name}=${value} starts with ${url.protocol}//: the ${service} service speaks ${spoken.replace(':', '')} to the ${role} container (${spoken}//). ${why}`,
    );
    for (const target of targets) {
      const mismatch = addressMismatch(
        name,
        value,
        `the ${role} container ${describe(target)}`,
        servedBy(target) ?? {},
      );
      check(!mismatch, `${who}'s ${mismatch}. ${why}`);
    }
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
