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
 * it nak'ed (redelivered after a delay); a replica that dies holding messages
 * gets them redelivered to a live one after `ackWaitMs`.
 */
import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type Consumer,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { isObservable, lastValueFrom } from 'rxjs';
import { chaosBeforeAck, chaosDelay } from '../chaos-hooks.js';
import { JetStreamContext } from './context.js';
import { decodeEvent } from './codec.js';
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
   * runs, the server tells NATS "still working" every ackWaitMs / 2, so a slow
   * handler is not redelivered. Default: JETSTREAM_ACK_WAIT_MS, else 5000.
   */
  ackWaitMs?: number;
  /** How long a message a handler failed on waits before its redelivery (default 1000). */
  nakDelayMs?: number;
  /** Deliveries of one message before NATS gives up on it; -1 (default) never does. */
  maxDeliver?: number;
  /** Events this replica handles at once (default 16). It never pulls more than that. */
  concurrency?: number;
  /** The connection's name in NATS monitoring (default: REPLICA_ID). */
  name?: string;
}

/** What a handler's error may carry to ask for a given redelivery delay (see idempotency). */
interface RetryAfter {
  retryAfterMs?: unknown;
}

const FETCH_EXPIRES_MS = 2_000;
const RETRY_MS = 1_000;

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
  private readonly ackWaitMs: number;
  private readonly concurrency: number;

  constructor(private readonly options: JetStreamServerOptions) {
    super();
    this.ackWaitMs = options.ackWaitMs ?? envMs('JETSTREAM_ACK_WAIT_MS') ?? 5_000;
    this.concurrency = Math.max(1, options.concurrency ?? 16);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const { stream, durable } = this.options;
      this.nc = await connect({
        servers: this.options.servers,
        name: this.options.name ?? process.env.REPLICA_ID ?? durable,
        maxReconnectAttempts: -1,
      });
      const jsm = await jetstreamManager(this.nc);
      await ensureStream(jsm, stream);
      // Adding a durable with the same config is a no-op, so replicas starting together all succeed;
      // NATS 2.9 applies a changed ack_wait / max_deliver to the existing durable.
      await jsm.consumers.add(stream.name, this.consumerConfig());
      const js = jetstream(this.nc);
      this.loop = this.pull(js);
      this.logger.log(
        `consuming ${stream.name} as durable "${durable}" (ack wait ${this.ackWaitMs} ms, up to ${this.concurrency} at once)`,
      );
      callback();
    } catch (error) {
      callback(error);
    }
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

  private consumerConfig(): Partial<ConsumerConfig> {
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
      ack_wait: nanos(this.ackWaitMs),
      max_deliver: this.options.maxDeliver ?? -1,
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
        for await (const msg of this.batch) this.track(this.handle(msg));
      } catch (error) {
        if (this.closing) break;
        consumer = undefined; // look it up again: the stream or the durable may have been recreated
        this.logger.warn(`pull from ${stream.name}/${durable} failed, retrying: ${describe(error)}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
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
    const handler = this.getHandlerByPattern(msg.subject);
    if (!handler?.isEventHandler) {
      msg.term(`no event handler for ${msg.subject}`);
      this.logger.error(`no @EventPattern handler for "${msg.subject}": message ${msg.seq} terminated`);
      return;
    }
    let data: unknown;
    try {
      data = decodeEvent(msg.data);
    } catch (error) {
      msg.term('undecodable payload');
      this.logger.error(`message ${msg.seq} on "${msg.subject}" is not JSON, terminated: ${describe(error)}`);
      return;
    }
    if (msg.info.deliveryCount > 1) {
      this.logger.log(`redelivery #${msg.info.deliveryCount - 1} of ${msg.subject} (stream seq ${msg.seq})`);
    }
    const heartbeat = setInterval(() => msg.working(), Math.max(250, this.ackWaitMs / 2));
    try {
      await chaosDelay(); // WORKSHOP TEST HOOK: no-op unless CHAOS_HANDLER_DELAY_MS is set
      await this.runHandler(handler, data, new JetStreamContext([msg]));
      await chaosBeforeAck(); // WORKSHOP TEST HOOK: no-op unless CHAOS_CRASH_AFTER_SEND is set
      msg.ack(); // after the work is done: a crash before this line means a redelivery, never a loss
    } catch (error) {
      const retryAfter = (error as RetryAfter | undefined)?.retryAfterMs;
      const delay = typeof retryAfter === 'number' ? retryAfter : (this.options.nakDelayMs ?? RETRY_MS);
      msg.nak(delay);
      this.logger.warn(`${msg.subject} (stream seq ${msg.seq}) failed, redelivery in ${delay} ms: ${describe(error)}`);
    } finally {
      clearInterval(heartbeat);
    }
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
