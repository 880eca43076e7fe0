import { Module } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { portOf, requireUrl } from '../../shared/src/env.js';
import { MailController } from './mail.controller.js';
import { SMTP_TRANSPORT } from './mail.constants.js';
import { MailService } from './mail.service.js';

@Module({
  imports: [], // TODO: a record of the events mail handled (services/shared/src/idempotency), apart from the other service's
  controllers: [MailController],
  providers: [
    MailService,
    {
      provide: SMTP_TRANSPORT,
      useFactory: () => {
        const smtp = requireUrl('SMTP_URL', ['smtp:']);
        // MailDev speaks plain SMTP: no TLS to negotiate on a local network.
        return createTransport({ host: smtp.hostname, port: portOf(smtp, 25), secure: false, ignoreTLS: true });
      },
    },
  ],
})
export class MailModule {}
