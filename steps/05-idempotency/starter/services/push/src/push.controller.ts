import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { USER_CREATED, type UserCreatedEvent } from '../../shared/src/events.js';
import { PushService } from './push.service.js';

@Controller()
export class PushController {
  constructor(private readonly push: PushService) {}

  @EventPattern(USER_CREATED) // TODO: skip an event this service already handled (services/shared/src/idempotency can wrap a handler)
  onUserCreated(@Payload() event: UserCreatedEvent): Promise<void> {
    return this.push.notify(event);
  }
}
