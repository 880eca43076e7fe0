/**
 * The durable consumer that every replica of a service shares, made to match
 * what this replica wants WITHOUT depending on the server's version:
 *
 * - missing: created (replicas racing here send the same config: a no-op);
 * - there with another config (another version of the service, an operator's
 *   edit): the difference is logged, then applied with an explicit update.
 *   `consumers.add` would silently rewrite it on NATS 2.9 and be refused with
 *   "consumer already exists" on NATS >= 2.10; an update works on both.
 * - an update the server refuses (a field it cannot change): logged, and the
 *   durable is used as it is.
 *
 * The caller takes the durable's REAL settings (ack wait, max deliver) from
 * the ConsumerInfo returned, never from its own options.
 */
import type { ConsumerConfig, ConsumerInfo, JetStreamManager } from '@nats-io/jetstream';

/** The settings compared and updated (the others cannot change on an existing durable). */
const UPDATABLE = ['ack_wait', 'max_deliver', 'max_ack_pending', 'filter_subject'] as const;
type Updatable = (typeof UPDATABLE)[number];

export type DurableConfig = Partial<ConsumerConfig> & { durable_name: string };

function differences(have: Partial<ConsumerConfig>, want: DurableConfig): string[] {
  const show = (key: Updatable, value: unknown) =>
    key === 'ack_wait' && typeof value === 'number' ? `${value / 1_000_000} ms` : JSON.stringify(value ?? null);
  return UPDATABLE.filter((key) => want[key] !== undefined && (have[key] ?? '') !== want[key]).map(
    (key) => `${key} ${show(key, have[key])} -> ${show(key, want[key])}`,
  );
}

function isNotFound(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  return e?.code === 10014 || /consumer not found/i.test(String(e?.message ?? ''));
}

export async function ensureDurable(
  jsm: JetStreamManager,
  stream: string,
  want: DurableConfig,
  log: { warn(message: string): void; error(message: string): void },
): Promise<ConsumerInfo> {
  const name = want.durable_name;
  let info = await jsm.consumers.info(stream, name).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (!info) {
    try {
      return await jsm.consumers.add(stream, want);
    } catch (error) {
      // Another replica created it in between (with another config, NATS >= 2.10 refuses ours): compare below.
      info = await jsm.consumers.info(stream, name).catch(() => undefined);
      if (!info) throw error;
    }
  }
  const drift = differences(info.config, want);
  if (drift.length === 0) return info;
  log.warn(`durable "${name}" on ${stream} differs from this replica's config (${drift.join(', ')}): updating it`);
  const changes: Partial<ConsumerConfig> = {};
  for (const key of UPDATABLE) if (want[key] !== undefined) Object.assign(changes, { [key]: want[key] });
  try {
    return await jsm.consumers.update(stream, name, changes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log.error(
      `durable "${name}" could not be updated (${reason}): using it as it is; delete it (nats consumer rm ${stream} ${name}) to recreate it`,
    );
    return info;
  }
}
