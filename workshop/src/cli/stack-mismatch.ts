/**
 * When `npm run local` fails because a replica wants a broker the run did not
 * give it ("NATS_URL is not set"), the services' code and the chosen run
 * disagree: one line that names what to change, instead of a stack trace.
 */
import { loadProgress } from '../state';
import { getSetting } from './stack-config';
import { CONFIG_STACK } from './config';

const set = (key: string, value: string) => `\`npm run workshop -- config set ${key} ${value}\``;

export function stackMismatch(
  failure: string,
  plan: boolean,
  infraDir: string,
  current = loadProgress().current,
): string | undefined {
  const missing = /\b(NATS_URL|REDIS_URL) is not set/.exec(failure)?.[1];
  if (!missing) return undefined;
  if (!plan) {
    return missing === 'NATS_URL'
      ? 'Your services use NATS (a replica says NATS_URL is not set): run `npm run local -- nats`.'
      : 'Your services use Redis (a replica says REDIS_URL is not set): run `npm run local -- redis`.';
  }
  const transport = getSetting(infraDir, CONFIG_STACK, 'transport').value;
  const again = 'then `npm run local -- --plan` again';
  if (missing === 'NATS_URL')
    return `Your services use NATS, but the stack's transport is ${transport} (a replica says NATS_URL is not set): ${set('transport', current >= 4 ? 'jetstream' : 'nats')}, ${again}.`;
  if (current >= 5)
    return `Your services keep handled events in Redis, but the stack starts no Redis beside NATS (a replica says REDIS_URL is not set): ${set('idempotencyStore', 'true')}, ${again}.`;
  return `Your services use Redis, but the stack's transport is ${transport} (a replica says REDIS_URL is not set): ${set('transport', 'redis')}, or move the services to NATS (step 3); ${again}.`;
}
