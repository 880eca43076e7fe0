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
          // TODO: in this step Redis goes away. Announce each new user through the broker the stack
          // runs now (its address comes in NATS_URL, the token it requires in NATS_TOKEN). A sender joins no group: only receivers do.
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
