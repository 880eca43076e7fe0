/**
 * Load for the graders: users POSTed to the gateway, and waits on what
 * arrives in the sinks.
 */
import type { User } from '../../../services/shared/src/events';
import { tally, type Delivery, type Tally } from './sinks';

export async function createUser(gatewayUrl: string, email: string, name: string): Promise<User> {
  const response = await fetch(`${gatewayUrl}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /users answered ${response.status}: ${text}`);
  return JSON.parse(text) as User;
}

/** Creates `count` users, `concurrency` requests at a time; returns them in order. */
export async function createUsers(
  gatewayUrl: string,
  count: number,
  { concurrency = 10, prefix = 'user' } = {},
): Promise<User[]> {
  const users: User[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      users[i] = await createUser(gatewayUrl, `${prefix}-${i + 1}@example.com`, `${prefix} ${i + 1}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return users;
}

export interface SettleOptions {
  /** How long the count must stay the same to call it settled. */
  quietMs?: number;
  /** Below `atLeast`, how long without any new delivery means "no more are coming". */
  stallMs?: number;
  timeoutMs?: number;
}

/**
 * Waits until `read()` holds at least `atLeast` deliveries and then has not
 * changed for `quietMs` (late duplicates get their chance to show up before
 * anyone asserts "exactly"); or, short of `atLeast`, until nothing new has
 * arrived for `stallMs` (then the caller's assertion reports the shortfall).
 */
export async function settle(
  read: () => Promise<Delivery[]>,
  atLeast: number,
  { quietMs = 400, stallMs = 3_000, timeoutMs = 30_000 }: SettleOptions = {},
): Promise<Tally> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  let changedAt = Date.now();
  for (;;) {
    const still = Date.now() - changedAt;
    if (last.length >= atLeast ? still >= quietMs : still >= stallMs) break;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = await read();
    if (now.length !== last.length) changedAt = Date.now();
    last = now;
  }
  return tally(last);
}
