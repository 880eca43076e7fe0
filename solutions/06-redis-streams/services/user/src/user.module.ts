import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { RedisStreamsClient } from '../../shared/src/redis-streams/index.js';
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
          // Events go to a stream (XADD), which keeps them until each consumer group has acked them.
          customClass: RedisStreamsClient,
          options: redisConnection(),
        }),
      },
    ]),
  ],
  controllers: [UsersController],
  providers: [UsersService],
})
export class UserModule {}
