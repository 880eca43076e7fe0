/**
 * The JetStream stream the user service publishes into and mail and push read
 * from, and its idempotent creation: several replicas start at once, and each
 * one (publisher or consumer) makes sure the stream is there before it uses it.
 */
import { RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { millis, nanos } from '@nats-io/transport-node';
import { USER_CREATED } from '../events.js';

export interface StreamSpec {
  /** The stream's name, e.g. USER_EVENTS. */
  name: string;
  /**
   * The subjects it captures. Events only: a request subject (user.create)
   * would get a PubAck from JetStream as its "reply".
   */
  subjects: string[];
  /** How long an event is kept (default 24 h). */
  maxAgeMs?: number;
  /** How long a Nats-Msg-Id is remembered for publisher dedupe (default 2 min). */
  duplicateWindowMs?: number;
}

/**
 * The user service's events. Limits retention, not work-queue: a work-queue
 * stream lets only ONE consumer take each subject (NATS 2.9 refuses push's
 * consumer once mail's exists: "filtered consumer not unique on workqueue
 * stream"), and mail and push must each get every event. Not interest
 * retention either: it drops events published before a consumer exists.
 */
export const USER_EVENTS_STREAM: StreamSpec = {
  name: 'USER_EVENTS',
  subjects: [USER_CREATED],
};

const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

export function streamConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: spec.subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(spec.maxAgeMs ?? DEFAULT_MAX_AGE_MS),
    duplicate_window: nanos(spec.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
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
  }
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
  const wantedAge = spec.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (config.max_age && config.max_age > 0 && millis(config.max_age) < wantedAge) {
    problems.push(
      `max age ${millis(config.max_age)} ms (< ${wantedAge} ms): a durable that is down longer loses events`,
    );
  }
  return problems;
}
