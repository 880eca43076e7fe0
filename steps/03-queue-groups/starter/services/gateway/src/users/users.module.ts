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
          transport: Transport.REDIS, // TODO: the gateway asks the user service over NATS now
          options: redisConnection(), // TODO: the NATS servers (natsServers() reads NATS_URL)
        }),
      },
    ]),
  ],
  controllers: [UsersController],
})
export class UsersModule {}
