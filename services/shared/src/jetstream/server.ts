/**
 * A NestJS transport strategy that consumes events from a JetStream stream
 * through a durable pull consumer. The delivery contract is the service's,
 * passed in as three options:
 *
 *   strategy: new JetStreamServer({ ...natsConnection(), stream, durable, settle })
 *
 * - `stream`: the stream to read (created if missing, see stream.ts);
 * - `durable`: the durable consumer's config (created, or brought to this
 *   config, see durable.ts): every replica of a service passes the same one;
 * - `settle`: what to answer NATS for each delivery, and when (see
 *   delivery.ts for the replies it can send).
 *
 * Handlers stay `@EventPattern(USER_CREATED)`. The server pulls no more
 * messages than it has free slots (`concurrency`), decodes each, and hands
 * settle a `handle()` that runs the handler (rejected once it runs past
 * handlerTimeoutMs). A message no handler can take (unknown subject, not
 * JSON) is terminated and copied to the dead-letter subject here. No
 * ordering: up to `concurrency` events run at once.
 */
import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, millis, nanos, type NatsConnection } from '@nats-io/transport-node';
import { isObservable, lastValueFrom } from 'rxjs';
import { chaosFromEnv, type ChaosHooks } from '../chaos-hooks.js';
import { JetStreamContext } from './context.js';
import { decodeEvent } from './codec.js';
import { deadLetter, deliveryOf, describe, type Settle } from './delivery.js';
import { ensureDurable, type DurableConfig } from './durable.js';
import { ensureStream, type StreamSpec } from './stream.js';

export interface JetStreamServerOptions {
  /** NATS servers, e.g. from natsConnection(). */
  servers: string[];
  /** The server's token, when it requires one (natsConnection() reads it from NATS_TOKEN). */
  token?: string;
  /** The stream to consume; created at start-up if missing. */
  stream: StreamSpec;
  /**
   * The durable consumer, in NATS's terms (`durable_name`, `ack_policy`,
   * `ack_wait` in ns, `max_deliver`...): all replicas of a service pass the
   * same. JETSTREAM_ACK_WAIT_MS, when set, replaces its `ack_wait` (the
   * graders shorten it, so a dead replica's events come back within a test);
   * JETSTREAM_MAX_DELIVER its `max_deliver` (the graders lower it, so a
   * poison event's last delivery comes within a test).
   */
  durable: DurableConfig;
  /** The service's answer to NATS for each delivery (see delivery.ts). */
  settle: Settle;
  /** The first delay Delivery.retryDelayMs suggests; it doubles per delivery, up to 30 s (default 1000). */
  nakDelayMs?: number;
  /** Where term() copies a message (default `<stream>.dead-letter.<durable>`); subscribe to see them. */
  deadLetterSubject?: string;
  /**
   * How long one handler may run before handle() rejects (the late handler
   * is not cancelled: give your clients their own timeouts). Default:
   * HANDLER_TIMEOUT_MS, else 60 000.
   */
  handlerTimeoutMs?: number;
  /** Events this replica handles at once (default 16). It never pulls more than that. */
  concurrency?: number;
  /** Fault hooks around each handler (tests only). Default: the CHAOS_* environment, read once. */
  chaos?: ChaosHooks;
  /** The connection's name in NATS monitoring (default: REPLICA_ID). */
  name?: string;
}

const FETCH_EXPIRES_MS = 2_000;
const RETRY_MS = 1_000;
/** NATS's own default ack wait, used when the durable config sets none. */
const NATS_ACK_WAIT_MS = 30_000;
const DEFAULT_MAX_ACK_PENDING = 1_000;

export class JetStreamServer extends Server implements CustomTransportStrategy {
  protected override readonly logger = new Logger(JetStreamServer.name);
  /** A failed handler's error reaches this server (which naks and logs it), not Nest's logger. */
  override readonly propagatesEventHandlerErrors = true;
  private nc?: NatsConnection;
  private closing = false;
  private loop?: Promise<void>;
  private batch?: ConsumerMessages;
  private readonly inFlight = new Set<Promise<void>>();
  private freed?: () => void;
  private jsm?: JetStreamManager;
  /** The durable's real settings, from its ConsumerInfo (refreshed as batches come in, see pull). */
  private ackWaitMs: number;
  private settingsReadAt = 0;
  private maxDeliver: number;
  private readonly durableName: string;
  private readonly handlerTimeoutMs: number;
  private readonly concurrency: number;
  private readonly chaos: ChaosHooks;

  constructor(private options: JetStreamServerOptions) {
    super();
    this.durableName = options.durable.durable_name;
    const ackWaitMs = envMs('JETSTREAM_ACK_WAIT_MS');
    if (ackWaitMs) this.options = { ...options, durable: { ...options.durable, ack_wait: nanos(ackWaitMs) } };
    const maxDeliver = envCount('JETSTREAM_MAX_DELIVER');
    if (maxDeliver) this.options = { ...this.options, durable: { ...this.options.durable, max_deliver: maxDeliver } };
    const ackWait = this.options.durable.ack_wait;
    this.ackWaitMs = ackWait ? millis(ackWait) : NATS_ACK_WAIT_MS;
    this.maxDeliver = this.options.durable.max_deliver ?? -1;
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? envMs('HANDLER_TIMEOUT_MS') ?? 60_000;
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    this.chaos = options.chaos ?? chaosFromEnv();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const { stream } = this.options;
      const durable = this.durableName;
      this.nc = await connect({
        servers: this.options.servers,
        token: this.options.token,
        name: this.options.name ?? process.env.REPLICA_ID ?? durable,
        maxReconnectAttempts: -1,
      });
      this.watch(this.nc);
      this.jsm = await jetstreamManager(this.nc);
      await this.ensureDurable();
      const js = jetstream(this.nc);
      this.loop = this.pull(js);
      this.logger.log(
        `consuming ${stream.name} as durable "${durable}" (ack wait ${this.ackWaitMs} ms, max deliver ${this.maxDeliver}, up to ${this.concurrency} at once)`,
      );
      callback();
    } catch (error) {
      // A failed start leaves no connection reconnecting in the background.
      await this.nc?.close().catch(() => undefined);
      this.nc = undefined;
      callback(error);
    }
  }

  /** The stream and the durable, created or brought to this replica's config (see durable.ts). */
  private async ensureDurable(): Promise<void> {
    const { stream } = this.options;
    await ensureStream(this.jsm!, stream, (message) => this.logger.warn(message));
    const info = await ensureDurable(this.jsm!, stream.name, this.consumerConfig(), {
      warn: (message) => this.logger.warn(message),
      error: (message) => this.logger.error(message),
    });
    this.useDurableSettings(info.config);
  }

  private useDurableSettings(config: { ack_wait?: number; max_deliver?: number }): void {
    if (config.ack_wait) this.ackWaitMs = millis(config.ack_wait);
    if (config.max_deliver !== undefined) this.maxDeliver = config.max_deliver;
  }

  /** Logs what happens to the connection; one that closes on its own means this replica consumes no more. */
  private watch(nc: NatsConnection): void {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
          this.logger.warn(`nats: ${status.type}${'server' in status ? ` (${String(status.server)})` : ''}`);
        }
      }
    })().catch(() => undefined);
    void nc.closed().then((error) => {
      if (this.closing) return;
      this.closing = true;
      this.freed?.();
      this.logger.error(`nats connection closed${error ? `: ${error.message}` : ''}; no more events are consumed`);
    });
  }

  /** Graceful stop: no new pulls, in-flight events finish and are acked, then the connection drains. */
  async close(): Promise<void> {
    this.closing = true;
    this.freed?.();
    await this.batch?.close().catch(() => undefined);
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    await this.nc?.drain().catch(() => undefined);
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamServer is not connected: call listen() first');
    return this.nc as T;
  }

  on(): never {
    throw new Error('JetStreamServer does not emit status events');
  }

  private consumerConfig(): DurableConfig {
    const { stream } = this.options;
    const durable = this.durableName;
    const patterns = [...this.messageHandlers.entries()].filter(([, h]) => h.isEventHandler).map(([p]) => p);
    const requests = [...this.messageHandlers.entries()].filter(([, h]) => !h.isEventHandler).map(([p]) => p);
    if (requests.length > 0) {
      this.logger.warn(`JetStreamServer handles events only; ignored @MessagePattern(s): ${requests.join(', ')}`);
    }
    if (patterns.length === 0) throw new Error(`durable "${durable}" has no @EventPattern handler to consume for`);
    return {
      max_ack_pending: DEFAULT_MAX_ACK_PENDING,
      deliver_policy: DeliverPolicy.All,
      // NATS 2.9 filters on one subject at most: with several handlers, read the whole stream.
      ...(patterns.length === 1 && !stream.subjects.every((s) => s === patterns[0])
        ? { filter_subject: patterns[0] }
        : {}),
      ...this.options.durable,
    };
  }

  /**
   * Pulls no more messages than there are free slots, so none waits in a
   * buffer while its ack timer runs; and, once busy, for half the slots at
   * once: each fetch is a pull request and a subscription of its own, and
   * fetching each slot as it frees cost the server and the replica about as
   * much as the message itself.
   */
  private async pull(js: JetStreamClient): Promise<void> {
    const { stream } = this.options;
    const durable = this.durableName;
    const batch = Math.ceil(this.concurrency / 2);
    let consumer: Consumer | undefined;
    while (!this.closing) {
      try {
        if (this.concurrency - this.inFlight.size < batch) {
          await new Promise<void>((resolve) => (this.freed = resolve));
          continue;
        }
        consumer ??= await js.consumers.get(stream.name, durable);
        this.batch = await consumer.fetch({
          max_messages: this.concurrency - this.inFlight.size,
          expires: FETCH_EXPIRES_MS,
        });
        let first = true;
        for await (const msg of this.batch) {
          if (first && Date.now() - this.settingsReadAt >= FETCH_EXPIRES_MS) {
            // The durable's ack wait may have been changed by another replica: heartbeat on the real one.
            // Read at most once per FETCH_EXPIRES_MS, the longest a batch lasts (so never staler than a
            // read per batch could be): a busy replica has one or two free slots, so one or two messages
            // per batch, and a read per batch was a request to the server for nearly every message.
            this.settingsReadAt = Date.now();
            await consumer.info().then(
              (info) => this.useDurableSettings(info.config),
              () => undefined,
            );
          }
          first = false;
          this.track(this.handle(msg));
        }
      } catch (error) {
        if (this.closing) break;
        consumer = undefined;
        this.logger.warn(`pull from ${stream.name}/${durable} failed, retrying: ${describe(error)}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        // The durable (or the stream) may have been deleted: make them again, or this replica idles forever.
        await this.ensureDurable().catch((e: unknown) => this.logger.warn(`durable "${durable}": ${describe(e)}`));
      }
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.freed?.();
      this.freed = undefined;
    });
  }

  private async handle(msg: JsMsg): Promise<void> {
    const log = (message: string) => this.logger.warn(message);
    const handler = this.getHandlerByPattern(msg.subject);
    if (!handler?.isEventHandler) {
      this.giveUp(msg, `no event handler for ${msg.subject}`);
      return;
    }
    let data: unknown;
    try {
      data = decodeEvent(msg.data);
    } catch (error) {
      this.giveUp(msg, `undecodable payload: ${describe(error)}`);
      return;
    }
    if (msg.info.deliveryCount > 1) {
      this.logger.log(`redelivery #${msg.info.deliveryCount - 1} of ${msg.subject} (stream seq ${msg.seq})`);
    }
    const delivery = deliveryOf(msg, {
      nc: this.nc!,
      maxDeliver: this.maxDeliver,
      ackWaitMs: this.ackWaitMs,
      deadLetterSubject: this.deadLetterSubject(),
      baseDelayMs: this.options.nakDelayMs,
      log,
    });
    try {
      await this.options.settle(delivery, () => this.withDeadline(msg, handler, data));
    } catch (error) {
      this.logger.error(`settle of stream seq ${msg.seq} threw, it comes back after the ack wait: ${describe(error)}`);
    }
  }

  /** The handler's run as settle sees it: resolved once it is done, rejected on its error or past its deadline. */
  private async withDeadline(msg: JsMsg, handler: MessageHandler, data: unknown): Promise<void> {
    let deadline: NodeJS.Timeout | undefined;
    const work = (async () => {
      await this.chaos.beforeHandler(data); // WORKSHOP TEST HOOK: no-op unless a CHAOS_* variable is set
      await this.runHandler(handler, data, new JetStreamContext([msg]));
      await this.chaos.beforeAck(); // WORKSHOP TEST HOOK: no-op unless CHAOS_CRASH_AFTER_SEND is set
    })();
    const timedOut = new Promise<'timeout'>((resolve) => {
      deadline = setTimeout(() => resolve('timeout'), this.handlerTimeoutMs);
    });
    try {
      if ((await Promise.race([work, timedOut])) === 'timeout') {
        void work.then(
          () =>
            this.logger.warn(`stream seq ${msg.seq} finished after its deadline (its delivery was already settled)`),
          () => undefined,
        );
        throw new Error(`${msg.subject} (stream seq ${msg.seq}) still running after ${this.handlerTimeoutMs} ms`);
      }
    } catch (error) {
      this.logger.warn(
        `${msg.subject} (stream seq ${msg.seq}, delivery ${msg.info.deliveryCount}) failed: ${describe(error)}`,
      );
      throw error;
    } finally {
      clearTimeout(deadline);
    }
  }

  /** A message no handler can take: terminated and copied to the dead-letter subject. */
  private giveUp(msg: JsMsg, reason: string): void {
    const log = (message: string) => this.logger.warn(message);
    try {
      msg.term();
    } catch (error) {
      log(`term of stream seq ${msg.seq} failed: ${describe(error)}`);
    }
    deadLetter(this.nc!, msg, this.deadLetterSubject(), reason, log);
    this.logger.error(
      `${msg.subject} (stream seq ${msg.seq}): ${reason}; terminated, sent to ${this.deadLetterSubject()}`,
    );
  }

  private deadLetterSubject(): string {
    return this.options.deadLetterSubject ?? `${this.options.stream.name}.dead-letter.${this.durableName}`;
  }

  /** Runs the handler through Nest's processing hooks and waits for its promise or stream to finish. */
  private runHandler(handler: MessageHandler, data: unknown, context: JetStreamContext): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.runWithProcessingHooks(context, async (runEndHook) => {
        try {
          const result: unknown = await handler(data, context);
          if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
          resolve();
        } catch (error) {
          reject(error);
        } finally {
          runEndHook();
        }
      });
    });
  }
}

function envCount(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a whole number above 0, got "${raw}"`);
  return value;
}

function envMs(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive number of ms, got "${raw}"`);
  return value;
}
