import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { type MicroserviceOptions } from '@nestjs/microservices';
import { RedisStreamsServer } from '../../shared/src/redis-streams/index.js';
import { ackAfterWork, claimStale } from '../../shared/src/redis-streams/claim-and-ack.js';
import { redisConnection } from '../../shared/src/transports.js';
import { announceReady, replicaId, run } from '../../shared/src/replica.js';
import { MailModule } from './mail.module.js';

run(async () => {
  replicaId();
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(MailModule, {
    abortOnError: false, // a start-up error reaches run(), which prints one line
    // A consumer group per service: each event goes to one mail replica, and stays pending until acked.
    strategy: new RedisStreamsServer({
      ...redisConnection(),
      group: 'mail',
      // A dead replica's pending entries are claimed by a live one; each entry is acked after its work.
      delivery: { claim: claimStale, handle: ackAfterWork },
    }),
  });
  app.enableShutdownHooks();
  await app.listen();
  announceReady('mail service listening');
});
