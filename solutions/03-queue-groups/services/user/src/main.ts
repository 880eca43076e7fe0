import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { natsConnection } from '../../shared/src/transports.js';
import { announceReady, replicaId, run } from '../../shared/src/replica.js';
import { UserModule } from './user.module.js';

run(async () => {
  replicaId();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(UserModule, {
    abortOnError: false, // a start-up error reaches run(), which prints one line
    transport: Transport.NATS,
    // A queue group: each event goes to ONE replica of this service, and still to every service.
    options: { ...natsConnection(), queue: 'user' },
  });
  app.enableShutdownHooks();
  await app.listen();
  announceReady('user service listening');
});
