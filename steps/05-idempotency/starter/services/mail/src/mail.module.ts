import { Module } from '@nestjs/common';
import { MailController } from './mail.controller.js';
import { SMTP_TRANSPORT } from './mail.constants.js';
import { MailService } from './mail.service.js';
import { createSmtpTransport } from './smtp-transport.js';

@Module({
  imports: [], // TODO: mail handles each event once: its handlers go through the guard you write in services/shared/src/idempotency/handle-once.ts, with records of its own in Redis, apart from push's
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
