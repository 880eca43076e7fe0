import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { natsServers } from '../../shared/src/transports.js';
import { EVENTS_CLIENT } from './user.constants.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [
    ClientsModule.registerAsync([
      {
        name: EVENTS_CLIENT,
        useFactory: () => ({
          transport: Transport.NATS, // TODO: publish into the stream, so the event is stored (services/shared/src/jetstream has a client)
          options: { servers: natsServers() }, // TODO: and which stream it publishes to
        }),
      },
    ]),
  ],
  controllers: [UsersController],
  providers: [UsersService],
})
export class UserModule {}
