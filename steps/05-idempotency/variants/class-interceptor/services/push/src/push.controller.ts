import { Controller, UseInterceptors } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { IdempotentConsumer } from '../../shared/src/idempotency/index.js';
import { USER_CREATED, type UserCreatedEvent } from '../../shared/src/events.js';
import { PushService } from './push.service.js';

// Every handler of this controller handles each eventId once.
@UseInterceptors(IdempotentConsumer)
@Controller()
export class PushController {
  constructor(private readonly push: PushService) {}

  @EventPattern(USER_CREATED)
  onUserCreated(@Payload() event: UserCreatedEvent): Promise<void> {
    return this.push.notify(event);
  }
}
