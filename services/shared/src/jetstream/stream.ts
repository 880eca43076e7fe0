/**
 * A JetStream stream, created by whoever uses it first: several replicas start
 * at once, and each one (publisher or consumer) makes sure the stream is there
 * before it uses it. WHICH stream (its subjects, its retention) is the
 * service's choice, declared beside the services and passed in as a
 * StreamSpec; this file only creates it and warns about a stream that exists
 * with a config that breaks "each service's durable gets every event".
 */
import { RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { millis, nanos } from '@nats-io/transport-node';

/**
 * A stream's config, in NATS's own terms (`subjects`, `retention`, `max_age`
 * in nanoseconds...). What it leaves out is filled in by streamConfig().
 * Events only in `subjects`: a request subject (user.create) would get a
 * PubAck from JetStream as its "reply".
 */
export type StreamSpec = Partial<StreamConfig> & { name: string; subjects: string[] };

const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

/** The spec, with what it leaves out filled in: file storage, events kept 24 h, a 2 min duplicate window. */
export function streamConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    storage: StorageType.File,
    max_age: nanos(DEFAULT_MAX_AGE_MS),
    duplicate_window: nanos(DEFAULT_DUPLICATE_WINDOW_MS),
    ...spec,
  };
}

/**
 * Creates the stream, or accepts the one already there. Adding a stream with
 * the same config is a no-op for NATS, so replicas racing here all succeed;
 * one that exists with another config is kept as it is (an operator may have
 * tuned its limits), as long as it captures our subjects; a retention that
 * breaks "each service's durable gets every event" is warned about.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  spec: StreamSpec,
  warn: (message: string) => void = (message) => console.warn(message),
): Promise<void> {
  try {
    await jsm.streams.add(streamConfig(spec));
  } catch (error) {
    const existing = await jsm.streams.info(spec.name).catch(() => undefined);
    if (!existing) throw error;
    const missing = spec.subjects.filter((s) => !existing.config.subjects?.includes(s));
    if (missing.length > 0) {
      throw new Error(
        `stream ${spec.name} exists but does not capture ${missing.join(', ')} (it has: ${existing.config.subjects?.join(', ')})`,
      );
    }
    for (const problem of streamProblems(existing.config, spec)) warn(`stream ${spec.name}: ${problem}`);
    return;
  }
  // Created as the spec says: warn about a spec that breaks the design too.
  for (const problem of streamProblems(streamConfig(spec), spec)) warn(`stream ${spec.name}: ${problem}`);
}

/** What in an existing stream's config breaks the two-durable design (mail and push each get every event). */
export function streamProblems(config: Partial<StreamConfig>, spec: StreamSpec): string[] {
  const problems: string[] = [];
  if (config.retention === RetentionPolicy.Workqueue) {
    problems.push(
      'work-queue retention: an event is removed once ONE durable acked it, so mail and push cannot both get it',
    );
  } else if (config.retention === RetentionPolicy.Interest) {
    problems.push('interest retention: events published while no durable exists are dropped');
  }
  const wantedAge = millis(streamConfig(spec).max_age ?? 0);
  if (config.max_age && config.max_age > 0 && millis(config.max_age) < wantedAge) {
    problems.push(
      `max age ${millis(config.max_age)} ms (< ${wantedAge} ms): a durable that is down longer loses events`,
    );
  }
  return problems;
}
