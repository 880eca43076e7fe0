import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { JetStreamClient } from '../../shared/src/jetstream/index.js';
import { USER_EVENTS } from '../../shared/src/delivery/user-events-stream.js';
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
          // A JetStream publish: emit() completes once the stream has stored the event.
          customClass: JetStreamClient,
          options: { ...natsConnection(), stream: USER_EVENTS }, // TODO: give each publish the event's id as its Nats-Msg-Id, so the stream drops a re-published copy
        }),
      },
    ]),
  ],
  controllers: [UsersController],
  providers: [UsersService],
})
export class UserModule {}
