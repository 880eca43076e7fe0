/**
 * The publishing side of the Redis Streams transport: a ClientProxy whose
 * emit() appends the event to the pattern's stream (XADD, with MAXLEN ~
 * trimming so the stream does not grow forever). emit() completes once Redis
 * has stored the entry, and yields the entry id. Events only: send() fails.
 */
import { Logger } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { DEFAULT_MAX_LEN, connectionOf, type RedisStreamsClientOptions } from './options.js';
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
    const maxLen = this.options.maxLen ?? DEFAULT_MAX_LEN;
    const body = JSON.stringify(this.serializer.serialize(packet));
    const id = await redis.xadd(stream, 'MAXLEN', '~', maxLen, '*', PACKET_FIELD, body);
    return id as T;
  }

  private async open(): Promise<Redis> {
    const redis = new Redis({
      ...connectionOf(this.options),
      lazyConnect: true,
      connectionName: `publisher:${process.env.REPLICA_ID ?? process.pid}`,
    });
    redis.on('error', (error: Error) => this.logger.error(`redis: ${error.message}`));
    await redis.connect();
    this.redis = redis;
    this._status$.next('connected');
    return redis;
  }
}
