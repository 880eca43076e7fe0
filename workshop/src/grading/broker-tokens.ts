/**
 * A broker that requires a token, and services that present it: the NATS
 * container's command sets a token (nats-server --auth) and every service
 * that talks to it has the same in NATS_TOKEN (the values stay out of the
 * messages: they are the stack's secrets).
 */
import { brokerTokens, tokenProblems } from '../plan/tokens';
import type { Plan } from '../plan';
import type { BrokerKind } from '../runtime/brokers';
import { check } from './expect';

export function checkBrokerTokens(plan: Plan, kind: BrokerKind): void {
  for (const b of brokerTokens(plan).filter((t) => t.kind === kind)) {
    check(
      b.required !== undefined && b.required !== '',
      `The ${b.kind} container ${b.broker} takes any client: its command sets no token (${b.flag} <token>). ` +
        `Expected the command of its kind with the token the Broker component holds (infra/components/broker.ts), so that only the stack's services get in.`,
    );
  }
  const problems = tokenProblems(plan);
  check(
    problems.length === 0,
    `${problems.join('; ')}. Every service needs each broker's address and, for one that requires it, its token: ` +
      `where does infra/index.ts build the services' broker env (the Broker component's env())?`,
  );
}
