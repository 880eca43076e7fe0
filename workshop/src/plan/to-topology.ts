/**
 * From a plan to what the local runtime starts: the replicas the program
 * declares (ids and envs as declared, in-network host names included) and
 * which backing service each host name stands for. The runtime then points
 * each of those host names at its own process on a loopback port.
 */
import { BROKERS, isBrokerKind, TRANSPORT_CHOICES } from '../runtime/brokers';
import { SERVICE_NAMES, type BackingKind, type ServiceName, type Topology, type Transport } from '../runtime/topology';
import { addressMismatch } from '../runtime/addresses';
import { describe, hostOf, resolveHost } from './containers';
import { servedBy } from './listening';
import { tokenProblems } from './tokens';
import { PlanError } from './read-plan';
import { BACKING_ROLES, isServiceRole } from './roles';
import type { Plan, PlanContainer } from './types';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface HostProblem {
  container: string;
  variable: string;
  host: string;
  message: string;
}

/** Each URL in an env whose host the container cannot resolve on its networks. */
export function unresolvedHosts(plan: Plan): HostProblem[] {
  const problems: HostProblem[] = [];
  for (const c of plan.containers) {
    for (const [variable, value] of Object.entries(c.env)) {
      const host = hostOf(value);
      if (!host) continue;
      const who = describe(c);
      if (LOOPBACK_HOSTS.has(host)) {
        problems.push({
          container: who,
          variable,
          host,
          message: `${who}'s ${variable}=${value} points at ${host}, which inside a container is the container itself: use the network alias of the service it means`,
        });
      } else if (resolveHost(plan, c, host).length === 0) {
        const known = [...new Set(c.networks.flatMap((n) => aliasesOn(plan, n.network)))].sort();
        problems.push({
          container: who,
          variable,
          host,
          message:
            `${who}'s ${variable}=${value} names the host "${host}", which no container answers to on ` +
            (c.networks.length
              ? `its network (${c.networks.map((n) => n.network).join(', ')}; aliases there: ${known.join(', ') || 'none'})`
              : 'any network (the container joins none)') +
            whyUnreachable(plan, c, host)
              .map((why) => `; ${why}`)
              .join(''),
        });
      }
    }
  }
  return problems;
}

/** The Docker names of the networks the program declares. */
function declaredNetworks(plan: Plan): Set<string> {
  return new Set(plan.networks.map((n) => n.name));
}

/** Where `c` is attached, as a phrase: its declared networks, or why it has none. */
export function attachmentOf(plan: Plan, c: PlanContainer): { declared: string[]; phrase: string } {
  const known = declaredNetworks(plan);
  const declared = c.networks.map((n) => n.network).filter((n) => known.has(n));
  const undeclared = c.networks.map((n) => n.network).filter((n) => !known.has(n));
  const declares = plan.networks.length ? plan.networks.map((n) => n.name).join(', ') : 'none';
  const phrase = declared.length
    ? `joins ${declared.join(', ')}`
    : undeclared.length
      ? `joins no network the program declares (it names ${undeclared.join(', ')}; the program declares ${declares})`
      : c.networkMode
        ? `joins no network the program declares (networkMode ${c.networkMode})`
        : 'joins no network at all';
  return { declared, phrase };
}

/**
 * Why the container meant by `host` is out of `c`'s reach: a container that
 * answers to that name (or is that role) but joins no declared network, or
 * another network than `c`, or shares a network with `c` under other aliases.
 */
export function whyUnreachable(plan: Plan, c: PlanContainer, host: string): string[] {
  const mine = new Set(c.networks.map((n) => n.network));
  const answers = (t: PlanContainer) => t.networks.some((n) => n.aliases.includes(host)) || t.name === host;
  const meant = plan.containers.filter((t) => t !== c && (answers(t) || t.role === host));
  return meant.map((t) => {
    const where = attachmentOf(plan, t);
    if (!where.declared.length) return `the ${t.role ?? describe(t)} container ${describe(t)} ${where.phrase}`;
    const shared = t.networks.filter((n) => mine.has(n.network));
    if (!shared.length)
      return `the ${t.role ?? describe(t)} container ${describe(t)} ${where.phrase}, which ${describe(c)} does not join`;
    const aliases = shared.flatMap((n) => n.aliases);
    return `the ${t.role ?? describe(t)} container ${describe(t)} shares its network but answers there to ${aliases.join(', ') || 'no alias'}${t.name ? ` and its name ${t.name}` : ''}, not "${host}"`;
  });
}

/**
 * Each URL in an env whose host resolves, but to a container that does not
 * serve its scheme on its port (SMTP_URL=smtp://maildev:2525 while MailDev
 * listens for SMTP on 1025): in Docker, the connection would be refused.
 */
export function wrongAddresses(plan: Plan): HostProblem[] {
  const problems: HostProblem[] = [];
  for (const c of plan.containers) {
    for (const [variable, value] of Object.entries(c.env)) {
      const host = hostOf(value);
      if (!host || LOOPBACK_HOSTS.has(host)) continue;
      for (const target of resolveHost(plan, c, host)) {
        const served = servedBy(target);
        const mismatch = served && addressMismatch(variable, value, `the ${target.role} container ("${host}")`, served);
        if (mismatch)
          problems.push({ container: describe(c), variable, host, message: `${describe(c)}'s ${mismatch}` });
      }
    }
  }
  return problems;
}

function aliasesOn(plan: Plan, network: string): string[] {
  return plan.containers.flatMap((c) => c.networks.filter((n) => n.network === network).flatMap((n) => n.aliases));
}

/** Containers of one service, in replica order. */
export function replicasOf(plan: Plan, service: ServiceName): PlanContainer[] {
  return plan.containers
    .filter((c) => c.role === service)
    .sort((a, b) => describe(a).localeCompare(describe(b), 'en', { numeric: true }));
}

/** What stops the plan from being run; empty when it can be. */
export function planProblems(plan: Plan): string[] {
  const problems: string[] = [];
  if (plan.networks.length === 0)
    problems.push('it declares no docker.Network, so the containers cannot reach each other by name');
  const missing = SERVICE_NAMES.filter((s) => replicasOf(plan, s).length === 0);
  if (missing.length) problems.push(`it declares no container for ${missing.join(', ')}`);
  const seen = new Map<string, string>();
  for (const c of plan.containers.filter((x) => isServiceRole(x.role))) {
    const id = c.replicaId;
    if (!id) {
      problems.push(`the ${c.role} container "${c.name ?? c.resource}" has no REPLICA_ID in its env`);
    } else if (seen.has(id)) {
      problems.push(
        `two containers have REPLICA_ID=${id} (${seen.get(id)} and ${c.name ?? c.resource}): each replica needs its own id`,
      );
    } else {
      seen.set(id, c.name ?? c.resource);
    }
  }
  for (const p of [...unresolvedHosts(plan), ...wrongAddresses(plan)]) {
    const c = plan.containers.find((x) => describe(x) === p.container);
    if (c && (isServiceRole(c.role) || c.role === undefined)) problems.push(p.message);
  }
  problems.push(...tokenProblems(plan));
  return problems;
}

/**
 * The Topology the local runtime runs for this plan: each service's replicas
 * with their envs as declared, and `aliases` mapping every host name a
 * backing container answers to (its aliases and its container name) to what
 * it is, so that the runtime can point redis://redis:6379 at the local Redis
 * on its loopback port. The transport is the stack's, as infra/index.ts
 * exports it.
 */
export function planToTopology(plan: Plan): Topology {
  const problems = planProblems(plan);
  if (problems.length) {
    throw new PlanError(
      `The Pulumi program in ${plan.infraDir} declares a system that cannot run: ${problems.slice(0, 2).join('; ')}` +
        (problems.length > 2 ? `; and ${problems.length - 2} more like these.` : '.'),
    );
  }
  const declaredTransport = plan.outputs.transport;
  const choice = typeof declaredTransport === 'string' ? TRANSPORT_CHOICES[declaredTransport] : undefined;
  if (!choice) {
    throw new PlanError(
      `The Pulumi program in ${plan.infraDir} exports no stack output \`transport\` the workshop knows (it has ${JSON.stringify(declaredTransport)}): ` +
        `infra/index.ts should keep \`export const transport = config.transport;\` (one of ${Object.keys(TRANSPORT_CHOICES).join(', ')}).`,
    );
  }
  const transport = choice.broker;

  const aliases: Record<string, BackingKind> = {};
  const listens: NonNullable<Topology['listens']> = {};
  for (const c of plan.containers) {
    const kind = c.role;
    if (!kind || !(BACKING_ROLES as readonly string[]).includes(kind)) continue;
    const hosts = [...c.networks.flatMap((n) => n.aliases), ...(c.name ? [c.name] : [])];
    for (const host of hosts) {
      aliases[host] = kind as BackingKind;
      listens[host] = servedBy(c) ?? {};
    }
  }

  const replicas = {} as Topology['replicas'];
  const brokers: Transport[] = [];
  for (const service of SERVICE_NAMES) {
    const containers = replicasOf(plan, service);
    replicas[service] = containers.map((c) => ({ id: c.replicaId!, env: { ...c.env } }));
    for (const c of containers) {
      for (const value of Object.values(c.env)) {
        const kind = aliases[hostOf(value) ?? ''];
        if (isBrokerKind(kind) && !brokers.includes(kind)) brokers.push(kind);
      }
    }
  }
  if (!brokers.includes(transport)) {
    const { envName, alias, scheme, port } = BROKERS[transport];
    throw new PlanError(
      `The stack's transport is ${String(declaredTransport)}, but no service of the Pulumi program in ${plan.infraDir} talks to a ${transport} container: ` +
        `each should have ${envName}=${scheme}://${alias}:${port} (the alias of a ${transport} container on its network)` +
        (brokers.length ? `; they talk to ${brokers.join(' and ')}.` : '.'),
    );
  }
  brokers.sort((a, b) => (a === transport ? -1 : b === transport ? 1 : 0));
  return { transport, brokers, replicas, aliases, listens, waitForSubscriptions: !choice.pull };
}
