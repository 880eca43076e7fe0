import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { natsConnection } from '../../shared/src/transports.js';
import { announceReady, replicaId, run } from '../../shared/src/replica.js';
import { MailModule } from './mail.module.js';

run(async () => {
  replicaId();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(MailModule, {
    abortOnError: false, // a start-up error reaches run(), which prints one line
    transport: Transport.NATS,
    // A queue group: each event goes to ONE replica of this service, and still to every service.
    options: { ...natsConnection(), queue: 'mail' },
  });
  app.enableShutdownHooks();
  await app.listen();
  announceReady('mail service listening');
});
