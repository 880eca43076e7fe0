/**
 * The publishing side of the Redis Streams transport: a ClientProxy whose
 * emit() appends the event to the pattern's stream (XADD). emit() completes
 * once Redis has stored the entry, and yields the entry id. Events only:
 * send() fails. No trimming here (XADD MAXLEN drops entries a group that is
 * down has not read yet): the consumers trim what every group has acked.
 */
import { Logger } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { connectionOf, type RedisStreamsClientOptions } from './options.js';
import { onRedisError } from '../redis-errors.js';
import { PACKET_FIELD, streamKey } from './stream-entry.js';

export class RedisStreamsClient extends ClientProxy {
  private readonly logger = new Logger(RedisStreamsClient.name);
  private redis?: Redis;
  private connecting?: Promise<Redis>;

  constructor(private readonly options: RedisStreamsClientOptions = {}) {
    super();
    this.initializeSerializer(options);
    this.initializeDeserializer(options);
  }

  connect(): Promise<Redis> {
    this.connecting ??= this.open().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    this.connecting = undefined;
    await redis?.quit().catch(() => redis.disconnect());
    this._status$.next('disconnected');
  }

  unwrap<T>(): T {
    if (!this.redis) throw new Error('Not initialized: call connect() first');
    return this.redis as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('RedisStreamsClient carries events only: use emit(), not send()'), isDisposed: true });
    return () => undefined;
  }

  protected async dispatchEvent<T = string>(packet: ReadPacket): Promise<T> {
    const redis = await this.connect();
    const stream = streamKey(this.normalizePattern(packet.pattern));
    const body = JSON.stringify(this.serializer.serialize(packet));
    const id = await redis.xadd(stream, '*', PACKET_FIELD, body);
    return id as T;
  }

  private async open(): Promise<Redis> {
    const redis = new Redis({
      ...connectionOf(this.options),
      lazyConnect: true,
      connectionName: `publisher:${process.env.REPLICA_ID ?? process.pid}`,
    });
    onRedisError(redis, 'publisher', (message) => this.logger.error(message));
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect(); // else it keeps reconnecting in the background, one more client per failed emit
      throw error;
    }
    this.redis = redis;
    this._status$.next('connected');
    return redis;
  }
}
