import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { redisConnection } from '../../../shared/src/transports.js';
import { UsersController } from './users.controller.js';
import { USER_SERVICE } from './users.constants.js';

@Module({
  imports: [
    ClientsModule.registerAsync([
      {
        name: USER_SERVICE,
        // A factory, so REDIS_URL is read (and validated) when the app starts.
        useFactory: () => ({
          // TODO: in this step Redis goes away. Ask the user service through the broker the stack
          // runs now (its address comes in NATS_URL, the token it requires in NATS_TOKEN).
          transport: Transport.REDIS,
          options: redisConnection(),
        }),
      },
    ]),
  ],
  controllers: [UsersController],
})
export class UsersModule {}
