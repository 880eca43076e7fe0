/**
 * A NestJS transport strategy that consumes events from Redis Streams with a
 * consumer group: the Redis-native way to get "each event to one replica of
 * each service, and none lost when a replica dies".
 *
 * For each @EventPattern, the server:
 * - creates the group on the pattern's stream if needed (XGROUP CREATE ...
 *   MKSTREAM; BUSYGROUP means it is there already);
 * - reads new entries with XREADGROUP as consumer <REPLICA_ID>, one replica
 *   of the group gets each entry, and runs up to `concurrency` at once;
 * - hands each entry to `delivery.handle` with the handler's work: the
 *   service's code acknowledges it (XACK) after the work, so a replica that
 *   crashes mid-work leaves the entry pending;
 * - every claimIntervalMs, asks `delivery.claim` to take over entries pending
 *   for longer than claimIdleMs (from a crashed consumer or a failed handler);
 * - while a handler runs, keeps its entry from going idle (XCLAIM JUSTID), so
 *   a slow handler is not claimed by another consumer and run twice;
 * - an entry delivered maxDeliveries times, or deleted while pending, goes to
 *   `<stream>:dead-letter` (logged), and is acked;
 * - on start, first re-reads its own pending entries (a restart with the same
 *   consumer name picks up where it died), and forgets long-idle consumers
 *   with nothing pending; every trimIntervalMs, trims what every group acked;
 * - on close, lets running handlers finish and ack (up to closeGraceMs).
 * That is at-least-once: an entry whose work was done and whose ack was not
 * (a crash in between) runs again on the consumer that claims it. No
 * ordering: entries run concurrently, and a retried one runs after later ones.
 * The claim and the ack are the service's (options.delivery: step 6's
 * claim-and-ack.ts); the other delivery steps are in delivery.ts.
 */
import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type ReadPacket } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { isObservable, lastValueFrom } from 'rxjs';
import { chaosFromEnv, type ChaosHooks } from '../chaos-hooks.js';
import { onRedisError } from '../redis-errors.js';
import { deadLetter, deliveriesOf, keepInFlight } from './delivery.js';
import { forgetIdleConsumers, trimAcked } from './housekeeping.js';
import {
  connectionOf,
  resolveServerOptions,
  type RedisStreamsServerOptions,
  type ResolvedServerOptions,
  type StreamGroup,
} from './options.js';
import { RedisStreamsContext } from './context.js';
import { PACKET_FIELD, fieldOf, streamKey, type RawEntry, type ReadGroupReply } from './stream-entry.js';

export const REDIS_STREAMS_TRANSPORT = Symbol('REDIS_STREAMS');

type Listener = (...args: unknown[]) => void;

export class RedisStreamsServer extends Server implements CustomTransportStrategy {
  override transportId = REDIS_STREAMS_TRANSPORT;
  /** handleEvent awaits the handler, so its failure reaches us (and we do not ack). */
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(RedisStreamsServer.name);

  private readonly settings: ResolvedServerOptions;
  private readonly listeners: [string, Listener][] = [];
  private readonly readers: Redis[] = [];
  private readonly loops: Promise<void>[] = [];
  private commands?: Redis;
  private closing = false;
  private readonly chaos: ChaosHooks;
  private housekeeping?: NodeJS.Timeout;

  constructor(private readonly options: RedisStreamsServerOptions) {
    super();
    this.settings = resolveServerOptions(options);
    this.chaos = options.chaos ?? chaosFromEnv();
    this.initializeSerializer(options);
    this.initializeDeserializer(options);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.commands = await this.connect('commands');
      const patterns: string[] = [];
      for (const [pattern, handler] of this.messageHandlers) {
        if (handler.isEventHandler) patterns.push(pattern);
        else this.logger.warn(`@MessagePattern('${pattern}') is not served: this transport carries events only`);
      }
      for (const pattern of patterns) {
        await this.ensureGroup(streamKey(pattern));
        await this.forgetIdleConsumers(streamKey(pattern));
      }
      this.housekeeping = setInterval(() => void this.trim(patterns.map(streamKey)), this.settings.trimIntervalMs);
      this.housekeeping.unref();
      for (const pattern of patterns) {
        const reader = await this.connect(`reader:${pattern}`);
        this.readers.push(reader);
        this.loops.push(this.consume(pattern, reader));
      }
      const { group, consumer, claimIdleMs, concurrency } = this.settings;
      this.logger.log(
        `consumer ${consumer} of group ${group} on ${patterns.map(streamKey).join(', ') || 'no stream'}` +
          ` (${concurrency} at a time, claims entries idle > ${claimIdleMs} ms)`,
      );
      this._status$.next('connected');
      callback();
    } catch (error) {
      await this.disconnectAll(); // a failed start leaves no client reconnecting in the background
      callback(error);
    }
  }

  /**
   * Graceful stop: no new reads; running handlers finish and ack (up to
   * closeGraceMs), and only then do the connections close. A handler still
   * running after that leaves its entry pending: another consumer claims it.
   */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.housekeeping);
    // A reader may be parked in XREADGROUP BLOCK: cut it. The loops end once their handlers are done.
    for (const reader of this.readers) reader.disconnect();
    const { closeGraceMs } = this.settings;
    const drained = await Promise.race([
      Promise.all(this.loops).then(() => true),
      delay(closeGraceMs).then(() => false),
    ]);
    if (!drained) this.logger.warn(`handlers still running after ${closeGraceMs} ms: their entries stay pending`);
    await this.disconnectAll();
    this._status$.next('disconnected');
  }

  private async disconnectAll(): Promise<void> {
    const commands = this.commands;
    this.commands = undefined;
    for (const reader of this.readers.splice(0)) reader.disconnect();
    await commands?.quit().catch(() => commands.disconnect());
  }

  /** Listens to the ioredis clients' events ('error', 'ready', ...). */
  on<EventKey extends string = string, EventCallback = Listener>(event: EventKey, callback: EventCallback): void {
    const listener = callback as Listener;
    this.listeners.push([event, listener]);
    for (const client of [this.commands, ...this.readers]) client?.on(event, listener);
  }

  unwrap<T>(): T {
    if (!this.commands) throw new Error('Not initialized: call listen() first');
    return this.commands as T;
  }

  /** Runs the handler(s) of `pattern` and resolves when they are done; rejects if one failed. */
  override handleEvent(pattern: string, packet: ReadPacket, context: RedisStreamsContext): Promise<void> {
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) return Promise.reject(new Error(`no @EventPattern('${pattern}') handler`));
    return new Promise<void>((resolve, reject) => {
      this.runWithProcessingHooks(context, async (runEndHook) => {
        try {
          const resultOrStream = await handler(packet.data, context);
          if (isObservable(resultOrStream)) await lastValueFrom(resultOrStream, { defaultValue: undefined });
          resolve();
        } catch (error) {
          reject(error);
        } finally {
          runEndHook();
        }
      });
    });
  }

  private async connect(role: string): Promise<Redis> {
    const { group, consumer } = this.settings;
    const client = new Redis({
      ...connectionOf(this.options),
      lazyConnect: true,
      connectionName: `${group}:${consumer}:${role}`.replace(/\s/g, '_'),
      // A blocked read must wait for a reconnect, not fail after N retries.
      maxRetriesPerRequest: role === 'commands' ? 20 : null,
    });
    onRedisError(client, role, (message) => {
      if (!this.closing) this.logger.error(message);
    });
    for (const [event, callback] of this.listeners) client.on(event, callback);
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw error;
    }
    return client;
  }

  /** Creates the group (and the stream) unless it exists. */
  private async ensureGroup(stream: string): Promise<void> {
    const { group, startId } = this.settings;
    try {
      await this.commands!.xgroup('CREATE', stream, group, startId, 'MKSTREAM');
      this.logger.log(`created consumer group ${group} on stream ${stream}`);
    } catch (error) {
      if (!messageOf(error).startsWith('BUSYGROUP')) throw error;
    }
  }

  private async forgetIdleConsumers(stream: string): Promise<void> {
    const { group, consumer, forgetConsumersIdleMs } = this.settings;
    const gone = await forgetIdleConsumers(this.commands!, stream, group, consumer, forgetConsumersIdleMs);
    if (gone.length > 0) {
      this.logger.log(
        `deleted ${gone.length} consumer(s) of ${group} idle > ${forgetConsumersIdleMs} ms with nothing pending: ${gone.join(', ')}`,
      );
    }
  }

  /** Trims the entries every group has acked; never fails the consumer (another replica trims next time). */
  private async trim(streams: string[]): Promise<void> {
    for (const stream of streams) {
      try {
        const trimmed = await trimAcked(this.commands!, stream);
        if (trimmed > 0) this.logger.debug?.(`trimmed ${trimmed} acked entries from ${stream}`);
      } catch (error) {
        if (!this.closing) this.logger.warn(`trimming ${stream} failed: ${messageOf(error)}`);
      }
    }
  }

  /**
   * The read loop of one stream. Each turn: claim stale entries (every
   * claimIntervalMs), then read as many entries as there are free slots
   * (first this consumer's own pending ones, left by a previous life; then
   * new ones), and start a handler for each. Never more than `concurrency`
   * handlers at once.
   */
  private async consume(pattern: string, reader: Redis): Promise<void> {
    const stream = streamKey(pattern);
    const { group, consumer, concurrency, blockMs, claimIntervalMs, claimIdleMs, handlerTimeoutMs } = this.settings;
    const inFlight = new Map<object, Promise<void>>(); // one per handler run (a stuck one included)
    // Entry id -> its current run, while that run is within handlerTimeoutMs (and so kept claimed).
    const kept = new Map<string, { since: number }>();
    const free = () => concurrency - inFlight.size;
    const start = (entry: RawEntry) => {
      const id = entry[0];
      if (kept.has(id)) return; // claimed back while it still runs here: let it finish
      // A run past its deadline was let go: a claim (ours too) runs the entry again.
      const run = { since: Date.now() };
      kept.set(id, run);
      const handling = this.handleEntry(pattern, stream, entry)
        .catch((error: unknown) => {
          // Left pending (not acked): a claim brings it back.
          this.logger.error(`${stream} entry ${id}: ${messageOf(error)}; left pending`);
        })
        .finally(() => {
          inFlight.delete(run);
          if (kept.get(id) === run) kept.delete(id);
        });
      inFlight.set(run, handling);
    };
    // Running handlers' entries must not look idle, or XAUTOCLAIM hands them to another consumer.
    // Past handlerTimeoutMs, an entry is let go: a stuck handler's event is claimed and run elsewhere.
    const keepAlive = setInterval(
      () => {
        const now = Date.now();
        for (const [id, { since }] of kept) {
          if (now - since <= handlerTimeoutMs) continue;
          kept.delete(id);
          this.logger.warn(`${stream} entry ${id}: handler still running after ${handlerTimeoutMs} ms; let go`);
        }
        keepInFlight(this.commands!, stream, group, consumer, [...kept.keys()]).catch((error: unknown) => {
          if (!this.closing || inFlight.size > 0)
            this.logger.warn(`keeping ${stream} entries claimed: ${messageOf(error)}`);
        });
      },
      Math.max(50, Math.floor(claimIdleMs / 3)),
    );

    let cursor = '0'; // '0': this consumer's own pending entries (after a restart); then '>': new ones
    let nextClaim = 0; // claim right away: a replica that starts may be the one to rescue a dead one's work
    while (!this.closing) {
      try {
        if (free() === 0) {
          await Promise.race(inFlight.values());
          continue;
        }
        if (Date.now() >= nextClaim) {
          await this.claimStale(stream, free, start);
          nextClaim = Date.now() + claimIntervalMs;
          if (free() === 0) continue;
        }
        const reply = (await reader.xreadgroup(
          'GROUP',
          group,
          consumer,
          'COUNT',
          free(),
          'BLOCK',
          blockMs,
          'STREAMS',
          stream,
          cursor,
        )) as ReadGroupReply;
        const entries = reply?.[0]?.[1] ?? [];
        if (cursor !== '>') {
          if (entries.length === 0) {
            cursor = '>';
            continue;
          }
          cursor = entries[entries.length - 1][0];
        }
        if (this.closing) break; // what was just read stays pending: a restart or a claim picks it up
        entries.forEach(start);
      } catch (error) {
        if (this.closing) break;
        if (messageOf(error).startsWith('NOGROUP')) {
          // The stream or the group was deleted under us (FLUSHALL, XGROUP DESTROY): make them again.
          await this.ensureGroup(stream).catch(() => undefined);
          continue;
        }
        this.logger.error(`reading ${stream} failed: ${messageOf(error)}; retrying in 1 s`);
        await delay(1_000);
      }
    }
    await Promise.allSettled(inFlight.values()); // a graceful stop finishes (and acks) what it started
    clearInterval(keepAlive);
  }

  /**
   * Takes over entries of this group delivered and not acked for claimIdleMs,
   * as many as there are free slots. One delivered maxDeliveries times already
   * (a poison event), or deleted from the stream while pending, is given up
   * on: dead-lettered, logged and (if still pending) acked.
   */
  private async claimStale(stream: string, free: () => number, start: (entry: RawEntry) => void): Promise<void> {
    const { group, consumer, claimIdleMs, maxDeliveries } = this.settings;
    const redis = this.commands!;
    let cursor = '0-0';
    do {
      if (free() === 0) return; // the rest waits for the next round
      let claimed;
      try {
        claimed = await this.options.delivery.claim(this.groupOf(stream), claimIdleMs, free(), cursor);
      } catch (error) {
        // The service's claim failed: reading new entries goes on, the next round tries again.
        this.logger.error(`claiming idle entries of ${stream} failed: ${messageOf(error)}`);
        return;
      }
      for (const id of claimed.deleted ?? []) {
        // Redis >= 7 has dropped it from the pending list already: only the dead letter is left to write.
        await deadLetter(redis, {
          stream,
          group,
          consumer,
          id,
          reason: 'deleted from the stream while pending',
          fields: null,
        });
        this.logger.error(`${stream} entry ${id} was deleted before ${group} handled it: dead-lettered`);
      }
      const deliveries = await deliveriesOf(
        redis,
        stream,
        group,
        claimed.entries.map(([id]) => id),
      );
      const runnable: RawEntry[] = [];
      for (const entry of claimed.entries) {
        const [id, fields] = entry;
        const count = deliveries.get(id) ?? 0;
        if (count <= maxDeliveries) {
          runnable.push(entry);
          continue;
        }
        const reason = `failed ${count - 1} deliveries (maxDeliveries ${maxDeliveries})`;
        await this.giveUp(stream, id, reason, fields);
        this.logger.error(`${stream} entry ${id} ${reason}: dead-lettered and acked`);
      }
      if (runnable.length > 0) {
        const ids = runnable.map(([id]) => id).join(', ');
        this.logger.log(
          `claimed ${runnable.length} entr${runnable.length === 1 ? 'y' : 'ies'} idle > ${claimIdleMs} ms: ${ids}`,
        );
      }
      runnable.forEach(start);
      cursor = claimed.next || '0-0';
    } while (cursor !== '0-0' && !this.closing);
  }

  /** One entry: the service's `delivery.handle` runs the handler and acks; an unreadable entry is given up on. */
  private async handleEntry(pattern: string, stream: string, [id, fields]: RawEntry): Promise<void> {
    const { group, consumer, claimIdleMs } = this.settings;
    const raw = fieldOf(fields, PACKET_FIELD);
    let packet: ReadPacket | undefined;
    try {
      packet =
        raw === undefined ? undefined : await this.deserializer.deserialize(JSON.parse(raw), { channel: stream });
    } catch {
      packet = undefined;
    }
    if (!packet) {
      // Deleted from the stream while pending (re-read after a restart), or not written by RedisStreamsClient.
      const reason = fields ? 'no readable packet' : 'deleted from the stream while pending';
      await this.giveUp(stream, id, reason, fields);
      this.logger.error(`entry ${id} on ${stream}: ${reason}; dead-lettered and acked, no handler run`);
      return;
    }

    const context = new RedisStreamsContext([stream, id, group, consumer]);
    const work = async () => {
      await this.chaos.beforeHandler(); // WORKSHOP TEST HOOK: no-op unless CHAOS_HANDLER_DELAY_MS, _CRASH_AFTER_READ or _FAIL_EVENT
      await this.handleEvent(pattern, packet, context);
      await this.chaos.beforeAck(); // WORKSHOP TEST HOOK: no-op unless CHAOS_CRASH_AFTER_SEND is set
    };
    try {
      await this.options.delivery.handle(this.groupOf(stream), id, work);
    } catch (error) {
      this.logger.error(
        `${pattern} entry ${id} failed (${messageOf(error)}): left pending, claimed again after about ${claimIdleMs} ms`,
      );
    }
  }

  /** What the service's claim and ack get: this consumer of its group on `stream`. */
  private groupOf(stream: string): StreamGroup {
    const { group, consumer } = this.settings;
    return { redis: this.commands!, stream, group, consumer };
  }

  /** An entry that will never run: copied to the dead-letter stream (with why), then acked so the group forgets it. */
  private async giveUp(stream: string, id: string, reason: string, fields: string[] | null): Promise<void> {
    const { group, consumer } = this.settings;
    await deadLetter(this.commands!, { stream, group, consumer, id, reason, fields });
    await this.commands!.xack(stream, group, id);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
