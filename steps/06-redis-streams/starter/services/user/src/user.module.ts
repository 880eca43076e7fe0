import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { redisConnection } from '../../shared/src/transports.js';
import { EVENTS_CLIENT } from './user.constants.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [
    ClientsModule.registerAsync([
      {
        name: EVENTS_CLIENT,
        useFactory: () => ({
          // TODO: append each event to a Redis stream, where it stays until every consumer group has it,
          // instead of publishing it to whoever listens right now. The client that appends to a stream is given
          // in services/shared/src/redis-streams.
          transport: Transport.REDIS,
          options: redisConnection(),
        }),
      },
    ]),
  ],
  controllers: [UsersController],
  providers: [UsersService],
})
export class UserModule {}
