import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../../shared/src/idempotency/index.js';
import { MailController } from './mail.controller.js';
import { SMTP_TRANSPORT } from './mail.constants.js';
import { MailService } from './mail.service.js';
import { createSmtpTransport } from './smtp-transport.js';

@Module({
  // Redis (REDIS_URL) remembers which events mail has handled; keys are namespaced 'mail', apart from push's.
  imports: [IdempotencyModule.forConsumer('mail')],
  controllers: [MailController],
  providers: [
    MailService,
    {
      provide: SMTP_TRANSPORT,
      // A pool of a few SMTP connections, read from SMTP_URL when the replica starts.
      useFactory: createSmtpTransport,
    },
  ],
})
export class MailModule {}
