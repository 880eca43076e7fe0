import { Module } from '@nestjs/common';
import { handleOnce } from '../../shared/src/idempotency/handle-once.js';
import { IdempotencyModule } from '../../shared/src/idempotency/index.js';
import { MailController } from './mail.controller.js';
import { SMTP_TRANSPORT } from './mail.constants.js';
import { MailService } from './mail.service.js';
import { createSmtpTransport } from './smtp-transport.js';

@Module({
  // Each event once: every handler goes through the guard, with mail's own records in Redis, apart from push's.
  imports: [IdempotencyModule.forConsumer('mail', handleOnce)],
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
