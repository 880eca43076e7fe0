import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { type MicroserviceOptions } from '@nestjs/microservices';
import { JetStreamServer } from '../../shared/src/jetstream/index.js';
import { durableConsumer } from '../../shared/src/delivery/durable-consumer.js';
import { settleAfterWork } from '../../shared/src/delivery/settle.js';
import { USER_EVENTS } from '../../shared/src/delivery/user-events-stream.js';
import { natsConnection } from '../../shared/src/transports.js';
import { announceReady, replicaId, run } from '../../shared/src/replica.js';
import { MailModule } from './mail.module.js';

run(async () => {
  replicaId();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(MailModule, {
    abortOnError: false, // a start-up error reaches run(), which prints one line
    // A durable JetStream consumer shared by the replicas: events wait in the stream, acked only once handled.
    strategy: new JetStreamServer({
      ...natsConnection(),
      stream: USER_EVENTS,
      durable: durableConsumer('mail'),
      settle: settleAfterWork,
    }),
  });
  app.enableShutdownHooks();
  await app.listen();
  announceReady('mail service listening');
});
