import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { redisConnection } from '../../shared/src/transports.js';
import { announceReady, replicaId, run } from '../../shared/src/replica.js';
import { UserModule } from './user.module.js';

run(async () => {
  replicaId();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(UserModule, {
    abortOnError: false, // a start-up error reaches run(), which prints one line
    // TODO: in this step Redis goes away. Take the requests of the gateway from the broker the
    // stack runs now (its address comes in NATS_URL, the token it requires in NATS_TOKEN). With several user replicas, each request
    // must be handled by one of them only, or the same user is created twice.
    transport: Transport.REDIS,
    options: redisConnection(),
  });
  app.enableShutdownHooks();
  await app.listen();
  announceReady('user service listening');
});
