import { Controller, UseInterceptors } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { IdempotentConsumer } from '../../shared/src/idempotency/index.js';
import { USER_CREATED, type UserCreatedEvent } from '../../shared/src/events.js';
import { MailService } from './mail.service.js';

// Every handler of this controller handles each eventId once.
@UseInterceptors(IdempotentConsumer)
@Controller()
export class MailController {
  constructor(private readonly mail: MailService) {}

  @EventPattern(USER_CREATED)
  onUserCreated(@Payload() event: UserCreatedEvent): Promise<void> {
    return this.mail.sendWelcome(event);
  }
}
