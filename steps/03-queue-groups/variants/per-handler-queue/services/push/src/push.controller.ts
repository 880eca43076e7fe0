import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { USER_CREATED, type UserCreatedEvent } from '../../shared/src/events.js';
import { PushService } from './push.service.js';

@Controller()
export class PushController {
  constructor(private readonly push: PushService) {}

  // The queue group on the handler: the NATS server subscribes this pattern in it.
  @EventPattern<string>(USER_CREATED, { queue: 'push-handlers' })
  onUserCreated(@Payload() event: UserCreatedEvent): Promise<void> {
    return this.push.notify(event);
  }
}
