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
          // Events go to a stream (XADD). The publisher does not trim it: the consumers trim only
          // the entries every consumer group has acked, so a group that is down loses nothing.
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
