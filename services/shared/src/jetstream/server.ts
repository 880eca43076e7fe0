/**
 * A NestJS transport strategy that consumes events from a JetStream stream
 * through a durable pull consumer:
 *
 *   strategy: new JetStreamServer({ servers: natsServers(), stream: USER_EVENTS_STREAM, durable: 'mail' })
 *
 * Handlers stay `@EventPattern(USER_CREATED)`. Every replica of a service
 * binds the same durable (its name is the service's name), so NATS hands each
 * event to one of them, and each service gets every event. A message is
 * acked only once the handler's promise resolved; a handler that throws gets
 * it nak'ed (redelivered after a growing delay), up to maxDeliver deliveries,
 * then it is terminated and copied to a dead-letter subject; a replica that
 * dies holding messages gets them redelivered to a live one after the ack
 * wait; a handler running past handlerTimeoutMs is given up on (nak'ed).
 * No ordering: up to `concurrency` events run at once, and a nak'ed one comes
 * back after later ones. The delivery steps themselves are in delivery.ts,
 * the durable's set-up in durable.ts.
 */
import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import {
  AckPolicy,
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
import { ackAfterWork, backoffMs, giveUp, keepWorking, retryLater } from './delivery.js';
import { ensureDurable, type DurableConfig } from './durable.js';
import { ensureStream, type StreamSpec } from './stream.js';

export interface JetStreamServerOptions {
  /** NATS servers, e.g. natsServers(). */
  servers: string[];
  /** The stream to consume; created at start-up if missing. */
  stream: StreamSpec;
  /** The durable consumer: one per service (e.g. 'mail'), shared by all its replicas. */
  durable: string;
  /**
   * How long NATS waits for an ack before it redelivers the message to another
   * replica: how soon a crashed replica's work comes back. While a handler
   * runs, the server tells NATS "still working" every half of the DURABLE's
   * ack wait (read from NATS: another replica may have set another), so a slow
   * handler is not redelivered. Default: JETSTREAM_ACK_WAIT_MS, else 5000.
   */
  ackWaitMs?: number;
  /** The first redelivery delay after a handler failed; it doubles each time, up to 30 s (default 1000). */
  nakDelayMs?: number;
  /**
   * Deliveries of one message before it is given up on: the last failure
   * terminates it and publishes a copy to deadLetterSubject (default 10).
   */
  maxDeliver?: number;
  /** Where given-up messages are published (default `<stream>.dead-letter.<durable>`); subscribe to see them. */
  deadLetterSubject?: string;
  /**
   * Delivered, unacked messages the durable allows at once across all
   * replicas (nak'ed ones waiting for their redelivery count too). Default 1000.
   */
  maxAckPending?: number;
  /**
   * How long one handler may run before it is given up on: no more working(),
   * nak'ed, so the event is redelivered (the late handler is not cancelled:
   * give your clients their own timeouts). Default: HANDLER_TIMEOUT_MS, else 60 000.
   */
  handlerTimeoutMs?: number;
  /** Events this replica handles at once (default 16). It never pulls more than that. */
  concurrency?: number;
  /** Fault hooks around each handler (tests only). Default: the CHAOS_* environment, read once. */
  chaos?: ChaosHooks;
  /** The connection's name in NATS monitoring (default: REPLICA_ID). */
  name?: string;
}

/** What a handler's error may carry to ask for a given redelivery delay (see idempotency). */
interface RetryAfter {
  retryAfterMs?: unknown;
}

const FETCH_EXPIRES_MS = 2_000;
const RETRY_MS = 1_000;
const MAX_NAK_DELAY_MS = 30_000;
const DEFAULT_MAX_DELIVER = 10;
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
  /** The durable's real settings, from its ConsumerInfo (refreshed as batches come in). */
  private ackWaitMs: number;
  private maxDeliver: number;
  private readonly wantedAckWaitMs: number;
  private readonly handlerTimeoutMs: number;
  private readonly concurrency: number;
  private readonly chaos: ChaosHooks;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.wantedAckWaitMs = options.ackWaitMs ?? envMs('JETSTREAM_ACK_WAIT_MS') ?? 5_000;
    this.ackWaitMs = this.wantedAckWaitMs;
    this.maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
    this.handlerTimeoutMs = options.handlerTimeoutMs ?? envMs('HANDLER_TIMEOUT_MS') ?? 60_000;
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    this.chaos = options.chaos ?? chaosFromEnv();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const { stream, durable } = this.options;
      this.nc = await connect({
        servers: this.options.servers,
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
    const { durable, stream } = this.options;
    const patterns = [...this.messageHandlers.entries()].filter(([, h]) => h.isEventHandler).map(([p]) => p);
    const requests = [...this.messageHandlers.entries()].filter(([, h]) => !h.isEventHandler).map(([p]) => p);
    if (requests.length > 0) {
      this.logger.warn(`JetStreamServer handles events only; ignored @MessagePattern(s): ${requests.join(', ')}`);
    }
    if (patterns.length === 0) throw new Error(`durable "${durable}" has no @EventPattern handler to consume for`);
    return {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.wantedAckWaitMs),
      max_deliver: this.options.maxDeliver ?? DEFAULT_MAX_DELIVER,
      max_ack_pending: this.options.maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
      deliver_policy: DeliverPolicy.All,
      // NATS 2.9 filters on one subject at most: with several handlers, read the whole stream.
      ...(patterns.length === 1 && !stream.subjects.every((s) => s === patterns[0])
        ? { filter_subject: patterns[0] }
        : {}),
    };
  }

  /** Pulls no more messages than there are free slots, so none waits in a buffer while its ack timer runs. */
  private async pull(js: JetStreamClient): Promise<void> {
    const { stream, durable } = this.options;
    let consumer: Consumer | undefined;
    while (!this.closing) {
      try {
        if (this.inFlight.size >= this.concurrency) {
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
          if (first) {
            first = false;
            // The durable's ack wait may have been changed by another replica: heartbeat on the real one.
            await consumer.info().then(
              (info) => this.useDurableSettings(info.config),
              () => undefined,
            );
          }
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
      giveUp(this.nc!, msg, this.deadLetterSubject(), `no event handler for ${msg.subject}`, log);
      this.logger.error(`no @EventPattern handler for "${msg.subject}": message ${msg.seq} dead-lettered`);
      return;
    }
    let data: unknown;
    try {
      data = decodeEvent(msg.data);
    } catch (error) {
      giveUp(this.nc!, msg, this.deadLetterSubject(), 'undecodable payload', log);
      this.logger.error(`message ${msg.seq} on "${msg.subject}" is not JSON, dead-lettered: ${describe(error)}`);
      return;
    }
    if (msg.info.deliveryCount > 1) {
      this.logger.log(`redelivery #${msg.info.deliveryCount - 1} of ${msg.subject} (stream seq ${msg.seq})`);
    }
    const stopWorking = keepWorking(msg, () => Math.max(100, this.ackWaitMs / 2), log);
    let deadline: NodeJS.Timeout | undefined;
    const work = (async () => {
      await this.chaos.beforeHandler(); // WORKSHOP TEST HOOK: no-op unless CHAOS_HANDLER_DELAY_MS is set
      await this.runHandler(handler, data, new JetStreamContext([msg]));
      await this.chaos.beforeAck(); // WORKSHOP TEST HOOK: no-op unless CHAOS_CRASH_AFTER_SEND is set
    })();
    const timedOut = new Promise<'timeout'>((resolve) => {
      deadline = setTimeout(() => resolve('timeout'), this.handlerTimeoutMs);
    });
    try {
      if ((await Promise.race([work, timedOut])) === 'timeout') {
        const delay = backoffMs(msg.info.deliveryCount, this.options.nakDelayMs ?? RETRY_MS, MAX_NAK_DELAY_MS);
        retryLater(msg, delay, log);
        this.logger.error(
          `${msg.subject} (stream seq ${msg.seq}) still running after ${this.handlerTimeoutMs} ms: given up, redelivery in ${delay} ms`,
        );
        void work.then(
          () => this.logger.warn(`stream seq ${msg.seq} finished after its deadline: not acked (it was redelivered)`),
          () => undefined,
        );
        return;
      }
      ackAfterWork(msg, log); // after the work is done: a crash before this line means a redelivery, never a loss
    } catch (error) {
      this.failed(msg, error);
    } finally {
      clearTimeout(deadline);
      stopWorking();
    }
  }

  /** A failed delivery: redelivered later, or (the last one allowed) terminated and dead-lettered. */
  private failed(msg: JsMsg, error: unknown): void {
    const log = (message: string) => this.logger.warn(message);
    const deliveries = msg.info.deliveryCount;
    if (this.maxDeliver > 0 && deliveries >= this.maxDeliver) {
      const reason = `failed ${deliveries} deliveries: ${describe(error)}`;
      giveUp(this.nc!, msg, this.deadLetterSubject(), reason, log);
      this.logger.error(
        `${msg.subject} (stream seq ${msg.seq}) ${reason}; terminated, sent to ${this.deadLetterSubject()}`,
      );
      return;
    }
    const retryAfter = (error as RetryAfter | undefined)?.retryAfterMs;
    const delay =
      typeof retryAfter === 'number'
        ? retryAfter
        : backoffMs(deliveries, this.options.nakDelayMs ?? RETRY_MS, MAX_NAK_DELAY_MS);
    retryLater(msg, delay, log);
    this.logger.warn(`${msg.subject} (stream seq ${msg.seq}) failed, redelivery in ${delay} ms: ${describe(error)}`);
  }

  private deadLetterSubject(): string {
    return this.options.deadLetterSubject ?? `${this.options.stream.name}.dead-letter.${this.options.durable}`;
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

function envMs(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive number of ms, got "${raw}"`);
  return value;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}
