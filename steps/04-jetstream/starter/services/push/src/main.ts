import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { natsConnection } from '../../shared/src/transports.js';
import { announceReady, replicaId, run } from '../../shared/src/replica.js';
import { PushModule } from './push.module.js';

run(async () => {
  replicaId();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(PushModule, {
    abortOnError: false, // a start-up error reaches run(), which prints one line
    // TODO: consume the stream of user events through one durable consumer that all push replicas share, and answer each
    // delivery with the delivery contract of services/shared/src/delivery (the JetStream server strategy in
    // services/shared/src/jetstream takes the three as options).
    transport: Transport.NATS,
    // A queue group: each event goes to ONE replica of this service, and still to every service.
    options: { ...natsConnection(), queue: 'push' },
  });
  app.enableShutdownHooks();
  await app.listen();
  announceReady('push service listening');
});
