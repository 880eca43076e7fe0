import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { redisConnection } from '../../shared/src/transports.js';
import { announceReady, replicaId, run } from '../../shared/src/replica.js';
import { PushModule } from './push.module.js';

run(async () => {
  replicaId();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(PushModule, {
    abortOnError: false, // a start-up error reaches run(), which prints one line
    // TODO: the push replicas read the events from a Redis stream, as one consumer group that all of them
    // share and no other service joins, with the claim and the ack you write in claim-and-ack.ts. The server
    // that reads a stream is given in services/shared/src/redis-streams.
    transport: Transport.REDIS,
    options: redisConnection(),
  });
  app.enableShutdownHooks();
  await app.listen();
  announceReady('push service listening');
});
