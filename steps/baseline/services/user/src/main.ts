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
    transport: Transport.REDIS,
    options: redisConnection(),
  });
  app.enableShutdownHooks();
  await app.listen();
  announceReady('user service listening');
});
