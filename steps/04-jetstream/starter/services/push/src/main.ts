import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { natsServers } from '../../shared/src/transports.js';
import { announceReady, replicaId, run } from '../../shared/src/replica.js';
import { PushModule } from './push.module.js';

run(async () => {
  replicaId();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(PushModule, {
    abortOnError: false, // a start-up error reaches run(), which prints one line
    transport: Transport.NATS, // TODO: consume from the JetStream stream instead (services/shared/src/jetstream has a server strategy)
    // A queue group: each event goes to ONE replica of this service, and still to every service.
    options: { servers: natsServers(), queue: 'push' }, // TODO: which stream, and one durable consumer of the push service's own, shared by its replicas
  });
  app.enableShutdownHooks();
  await app.listen();
  announceReady('push service listening');
});
