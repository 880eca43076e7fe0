/**
 * A NestJS ClientProxy that publishes events into a JetStream stream:
 *
 *   ClientsModule.registerAsync([{ name: EVENTS_CLIENT, useFactory: () => ({
 *     customClass: JetStreamClient,
 *     options: { ...natsConnection(), stream: USER_EVENTS }, // the service's StreamSpec
 *   }) }])
 *
 * `emit()` completes once the stream has stored the event (its PubAck), so
 * "published" means "persisted", not "sent into the void" as with core NATS.
 * Each publish carries a Nats-Msg-Id header, and the stream drops a second
 * publish of the same id within its duplicate window, so the client's own
 * retries (a PubAck lost to a timeout) cannot store an event twice. Without
 * `msgId` the id is random per emit(): that covers the client's retries only;
 * with `msgId` (the event's own id) a caller's re-publish is dropped too.
 */
import { Logger } from '@nestjs/common';
import { ClientProxy, NatsRecord, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { jetstream, jetstreamManager, type JetStreamClient as NatsJetStream, type PubAck } from '@nats-io/jetstream';
import { connect, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { encodeEvent } from './codec.js';
import { ensureStream, type StreamSpec } from './stream.js';

export interface JetStreamClientOptions {
  /** NATS servers, e.g. from natsConnection(). */
  servers: string[];
  /** The server's token, when it requires one (natsConnection() reads it from NATS_TOKEN). */
  token?: string;
  /** The stream that captures the events this client emits; created if missing. */
  stream: StreamSpec;
  /**
   * The event's Nats-Msg-Id: the stream keeps the first publish of an id and
   * drops the others (within its duplicate window). E.g. `(event) => event.eventId`.
   * Default: a random id per emit() (its retries share it).
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  msgId?: (data: any, pattern: string) => string | undefined;
  /** Extra tries when a publish gets no PubAck (timeout, no responders); default 2. */
  retries?: number;
  /** How long to wait for the PubAck of one try (default 5000 ms). */
  timeoutMs?: number;
  /** The connection's name in NATS monitoring (default: REPLICA_ID). */
  name?: string;
}

const RETRY_DELAY_MS = 200;

export class JetStreamClient extends ClientProxy {
  private readonly logger = new Logger(JetStreamClient.name);
  private connection?: Promise<{ nc: NatsConnection; js: NatsJetStream }>;
  private nc?: NatsConnection;

  constructor(private readonly options: JetStreamClientOptions) {
    super();
  }

  /** Connects once (later calls share the first connection) and makes sure the stream exists. */
  connect(): Promise<{ nc: NatsConnection; js: NatsJetStream }> {
    this.connection ??= (async () => {
      const nc = await connect({
        servers: this.options.servers,
        token: this.options.token,
        name: this.options.name ?? process.env.REPLICA_ID,
        maxReconnectAttempts: -1,
      });
      try {
        await ensureStream(await jetstreamManager(nc), this.options.stream, (message) => this.logger.warn(message));
      } catch (error) {
        await nc.close().catch(() => undefined); // else each failed emit leaves one more connection reconnecting
        throw error;
      }
      this.nc = nc;
      return { nc, js: jetstream(nc) };
    })().catch((error: unknown) => {
      this.connection = undefined; // the next emit tries again
      throw error;
    });
    return this.connection;
  }

  async close(): Promise<void> {
    const nc = this.nc;
    this.connection = undefined;
    this.nc = undefined;
    await nc?.drain().catch(() => undefined);
  }

  unwrap<T>(): T {
    if (!this.nc) throw new Error('JetStreamClient is not connected: call connect() first');
    return this.nc as T;
  }

  /** Request-response is core NATS's job (Transport.NATS); this client only emits events. */
  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({
      err: new Error('JetStreamClient only emits events: use emit(), or a Transport.NATS client for send()'),
      isDisposed: true,
    });
    return () => undefined;
  }

  protected async dispatchEvent<T = PubAck>(packet: ReadPacket): Promise<T> {
    const { js } = await this.connect();
    const pattern = this.normalizePattern(packet.pattern);
    const record = packet.data instanceof NatsRecord ? packet.data : undefined;
    const data: unknown = record ? record.data : packet.data;
    // Always an id: a retry after a lost PubAck must not store the event twice.
    const msgID = this.options.msgId?.(data, pattern) || randomUUID();
    const payload = encodeEvent(pattern, data);
    const retries = this.options.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await js.publish(pattern, payload, {
          msgID,
          ...(record?.headers ? { headers: record.headers as MsgHdrs } : {}),
          timeout: this.options.timeoutMs ?? 5_000,
        });
        if (ack.duplicate) this.logger.log(`${pattern} ${msgID} was already in ${ack.stream}: dropped as a duplicate`);
        return ack as T;
      } catch (error) {
        if (attempt >= retries) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.warn(`publish of ${pattern} failed (${reason}), try ${attempt + 2} of ${retries + 1}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      }
    }
  }
}
