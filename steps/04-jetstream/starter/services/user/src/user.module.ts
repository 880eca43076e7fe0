import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { natsConnection } from '../../shared/src/transports.js';
import { EVENTS_CLIENT } from './user.constants.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [
    ClientsModule.registerAsync([
      {
        name: EVENTS_CLIENT,
        useFactory: () => ({
          // TODO: publish into the stream of user events and wait for the stream to confirm it stored each event:
          // a core NATS publish gets no such answer (services/shared/src/jetstream has a client for it).
          transport: Transport.NATS,
          options: { ...natsConnection() },
        }),
      },
    ]),
  ],
  controllers: [UsersController],
  providers: [UsersService],
})
export class UserModule {}
