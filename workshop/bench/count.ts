/**
 * Counting what arrived: emails or pushes per user, duplicates (deliveries
 * beyond the first per user) and losses (accepted users with none), and
 * waiting until the sinks have stopped changing.
 */
import type { Delivery } from '../src/grading/sinks';

export interface Count {
  /** Deliveries in all. */
  delivered: number;
  /** Users with at least one. */
  served: number;
  /** Deliveries beyond the first for a user. */
  duplicated: number;
  /** Accepted users with none. */
  lost: number;
  /** Deliveries for users the run did not count as accepted (a request that failed after the user was created). */
  unaccounted: number;
}

/** `accepted`: the keys (user id, or email address) of the users the gateway accepted; `keyOf` reads a delivery's. */
export function count(deliveries: Delivery[], accepted: Set<string> | number, keyOf: (d: Delivery) => string): Count {
  const perUser = new Map<string, number>();
  for (const d of deliveries) perUser.set(keyOf(d), (perUser.get(keyOf(d)) ?? 0) + 1);
  const known = typeof accepted === 'number' ? undefined : accepted;
  let served = 0;
  let unaccounted = 0;
  let duplicated = 0;
  for (const [key, n] of perUser) {
    if (known && !known.has(key)) {
      unaccounted += n;
      continue;
    }
    served++;
    duplicated += n - 1;
  }
  const acceptedCount = typeof accepted === 'number' ? accepted : accepted.size;
  return { delivered: deliveries.length, served, duplicated, lost: Math.max(0, acceptedCount - served), unaccounted };
}

export interface SettleOptions {
  /** The count reached, how long it must stay the same. */
  quietMs: number;
  /** Short of it, how long without a change means nothing more is coming. */
  stallMs: number;
  timeoutMs: number;
  /** How often to read (default 250 ms). */
  intervalMs?: number;
}

/** Waits until every counter of `read()` reached `target` and stayed put for quietMs, or stalled. */
export async function settled(read: () => Promise<number[]>, target: number, options: SettleOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = await read();
  let changedAt = Date.now();
  while (Date.now() < deadline) {
    const still = Date.now() - changedAt;
    if (last.every((n) => n >= target) ? still >= options.quietMs : still >= options.stallMs) return;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    const now = await read();
    if (now.some((n, i) => n !== last[i])) changedAt = Date.now();
    last = now;
  }
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
