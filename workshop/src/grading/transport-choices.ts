/**
 * The stack's transport choices as the infra checks grade them: every choice
 * that talks through a broker (nats and jetstream both run on NATS), and the
 * rule that no service is left talking to a broker its transport does not use.
 */
import { describe, replicasOf, resolveHost, type Plan } from '../plan';
import { TRANSPORT_CHOICES, type BrokerKind } from '../runtime/brokers';
import { SERVICE_NAMES } from '../runtime/topology';
import { check } from './expect';

/** The transport choices (the stack's `transport`) whose services talk through `broker`. */
export function transportChoicesOn(broker: BrokerKind): string[] {
  return Object.entries(TRANSPORT_CHOICES)
    .filter(([, choice]) => choice.broker === broker)
    .map(([name]) => name);
}

/** No replica of any service has a variable that names a `broker` container: none of them is left on it. */
export function checkNoServiceOn(plan: Plan, broker: BrokerKind, why: string): void {
  for (const service of SERVICE_NAMES) {
    for (const c of replicasOf(plan, service)) {
      for (const [name, value] of Object.entries(c.env)) {
        let host: string;
        try {
          host = new URL(value).hostname;
        } catch {
          continue; // not a URL
        }
        check(
          !resolveHost(plan, c, host).some((target) => target.role === broker),
          `${describe(c)} still has ${name}=${value}, which names the ${broker} container: ${why}`,
        );
      }
    }
  }
}
