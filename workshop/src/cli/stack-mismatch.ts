/**
 * When `npm run local` fails because the services' code and the chosen run
 * disagree on the broker (a replica says "NATS_URL is not set", or nothing
 * subscribes on the broker the run started): one line that names what to
 * change, instead of a stack trace.
 */
import { loadProgress } from '../state';
import type { Transport } from '../runtime/topology';
import { getSetting } from './stack-config';
import { CONFIG_STACK } from './config';

export interface Run {
  /** `--plan`: the Pulumi program's dev stack chose the brokers. */
  plan: boolean;
  /** The broker the run gave the services (without --plan). */
  transport: Transport;
  infraDir: string;
  /** The step the learner is on. */
  current?: number;
}

const set = (key: string, value: string) => `\`npm run workshop -- config set ${key} ${value}\``;
const other = (t: Transport): Transport => (t === 'nats' ? 'redis' : 'nats');
const NAMES: Record<Transport, string> = { nats: 'NATS', redis: 'Redis' };

export function stackMismatch(failure: string, run: Run): string | undefined {
  const missing = /\b(NATS_URL|REDIS_URL) is not set/.exec(failure)?.[1];
  const deaf = /subscriber\(s\) on "user\.create" at the broker/.test(failure);
  if (!missing && !deaf) return undefined;
  if (!run.plan) {
    const wanted: Transport = missing ? (missing === 'NATS_URL' ? 'nats' : 'redis') : other(run.transport);
    const why = missing
      ? `a replica says ${missing} is not set`
      : `nothing subscribed to user.create on ${NAMES[run.transport]}`;
    return `Your services use ${NAMES[wanted]} (${why}): run \`npm run local -- ${wanted}\`.`;
  }
  const current = run.current ?? loadProgress().current;
  const transport = getSetting(run.infraDir, CONFIG_STACK, 'transport').value;
  const again = 'then `npm run local -- --plan` again';
  if (missing === 'NATS_URL')
    return `Your services use NATS, but the stack's transport is ${transport} (a replica says NATS_URL is not set): ${set('transport', current >= 4 ? 'jetstream' : 'nats')}, ${again}.`;
  if (missing === 'REDIS_URL' && current >= 5)
    return `Your services keep handled events in Redis, but the stack starts no Redis beside NATS (a replica says REDIS_URL is not set): ${set('idempotencyStore', 'true')}, ${again}.`;
  if (missing === 'REDIS_URL')
    return `Your services use Redis, but the stack's transport is ${transport} (a replica says REDIS_URL is not set): ${set('transport', 'redis')}, or move the services to NATS (step 3); ${again}.`;
  return undefined; // the program's own wiring: its message says more than a guess would
}
