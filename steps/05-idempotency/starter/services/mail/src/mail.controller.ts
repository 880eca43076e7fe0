import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { USER_CREATED, type UserCreatedEvent } from '../../shared/src/events.js';
import { MailService } from './mail.service.js';

@Controller()
export class MailController {
  constructor(private readonly mail: MailService) {}

  @EventPattern(USER_CREATED) // TODO: skip an event this service already handled (services/shared/src/idempotency can wrap a handler)
  onUserCreated(@Payload() event: UserCreatedEvent): Promise<void> {
    return this.mail.sendWelcome(event);
  }
}
