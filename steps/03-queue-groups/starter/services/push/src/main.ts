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
    // TODO: in this step Redis goes away. Take the events from the broker the stack runs now
    // (its address comes in NATS_URL, the token it requires in NATS_TOKEN), and make the replicas of push share them: each new
    // user must get one push, from one replica, while mail still gets every event too.
    transport: Transport.REDIS,
    options: redisConnection(),
  });
  app.enableShutdownHooks();
  await app.listen();
  announceReady('push service listening');
});
