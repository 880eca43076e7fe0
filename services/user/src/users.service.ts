import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { USER_CREATED, type CreateUserCommand, type User, type UserCreatedEvent } from '../../shared/src/events.js';
import { logEvent } from '../../shared/src/replica.js';
import { EVENTS_CLIENT } from './user.constants.js';

@Injectable()
export class UsersService {
  constructor(@Inject(EVENTS_CLIENT) private readonly events: ClientProxy) {}

  /** Creates the user, then tells the world: one user.created event per user. */
  async create(command: CreateUserCommand): Promise<User> {
    const user: User = { id: randomUUID(), email: command.email, name: command.name };
    const event: UserCreatedEvent = {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      user,
    };
    // Wait for the publish, so the gateway's 201 means "the event is out".
    await lastValueFrom(this.events.emit(USER_CREATED, event), { defaultValue: undefined });
    logEvent(`${USER_CREATED} ${event.eventId} published for ${user.email}`);
    return user;
  }
}
