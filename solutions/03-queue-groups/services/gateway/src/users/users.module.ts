import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { natsConnection } from '../../../shared/src/transports.js';
import { UsersController } from './users.controller.js';
import { USER_SERVICE } from './users.constants.js';

@Module({
  imports: [
    ClientsModule.registerAsync([
      {
        name: USER_SERVICE,
        // A factory, so NATS_URL is read (and validated) when the app starts.
        useFactory: () => ({
          transport: Transport.NATS,
          options: { ...natsConnection() },
        }),
      },
    ]),
  ],
  controllers: [UsersController],
})
export class UsersModule {}
