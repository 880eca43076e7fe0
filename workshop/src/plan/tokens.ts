/**
 * The brokers' tokens in a plan: the token a broker container requires (the
 * server flag of infra/components/broker.ts, e.g. nats-server --auth) and
 * the one each service that talks to it presents (NATS_TOKEN). In Docker a
 * service with no token, or another one, is refused when it connects
 * ("Authorization Violation"); the local runtime gives every service the
 * token of the broker it starts, so it refuses such a plan itself.
 */
import { BROKER_KINDS, BROKERS, type BrokerKind } from '../runtime/brokers';
import { describe, hostOf, resolveHost } from './containers';
import { argsOf, flagValues } from './listening';
import { isServiceRole } from './roles';
import type { Plan, PlanContainer } from './types';

export interface BrokerToken {
  kind: BrokerKind;
  /** The broker container, by its Docker name or resource name. */
  broker: string;
  flag: string;
  envName: string;
  /** What its command requires; undefined: it takes any client. */
  required: string | undefined;
  /** Each service container that talks to it (a URL of its scheme whose host reaches it), and the token it presents. */
  clients: { replica: string; token: string | undefined }[];
}

/** Each broker container of a kind that takes a token: what it requires and what its clients present. */
export function brokerTokens(plan: Plan): BrokerToken[] {
  const found: BrokerToken[] = [];
  for (const kind of BROKER_KINDS) {
    const spec = BROKERS[kind];
    if (!spec.token) continue;
    const { flag, envName } = spec.token;
    for (const broker of plan.containers.filter((c) => c.role === kind)) {
      const talksToIt = (c: PlanContainer, value: string): boolean => {
        const host = hostOf(value);
        return host !== undefined && value.startsWith(`${spec.scheme}:`) && resolveHost(plan, c, host).includes(broker);
      };
      const clients = plan.containers
        .filter((c) => isServiceRole(c.role) && Object.values(c.env).some((value) => talksToIt(c, value)))
        .map((c) => ({ replica: describe(c), token: c.env[envName] }));
      found.push({
        kind,
        broker: broker.name ?? broker.resource,
        flag,
        envName,
        // As the server reads its flags (Go's flag package): the last value given wins.
        required: flagValues(argsOf(broker), [flag]).at(-1),
        clients,
      });
    }
  }
  return found;
}

/**
 * Why a service would be refused by its broker: it presents no token, or not
 * the one the broker requires (the values themselves stay out of messages:
 * they are the stack's secrets). Empty when every client gets in.
 */
export function tokenProblems(plan: Plan): string[] {
  const problems: string[] = [];
  for (const b of brokerTokens(plan)) {
    if (b.required === undefined) continue;
    const none = b.clients.filter((c) => !c.token).map((c) => c.replica);
    const other = b.clients.filter((c) => c.token && c.token !== b.required).map((c) => c.replica);
    if (none.length) {
      problems.push(
        `${none.join(', ')} ${none.length > 1 ? 'have' : 'has'} no ${b.envName}, but the ${b.kind} container ${b.broker} requires a token (${b.flag}): it would refuse ${none.length > 1 ? 'them' : 'it'}`,
      );
    }
    if (other.length) {
      problems.push(
        `${other.join(', ')} ${other.length > 1 ? 'have' : 'has'} a ${b.envName} that is not the token the ${b.kind} container ${b.broker} requires (${b.flag}): it would refuse ${other.length > 1 ? 'them' : 'it'}`,
      );
    }
  }
  return problems;
}
