import { Inject, Injectable } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { MAIL_HEADERS, type UserCreatedEvent } from '../../shared/src/events.js';
import { logDelivery } from '../../shared/src/delivery-log.js';
import { replicaId } from '../../shared/src/replica.js';
import { MAIL_FROM, SMTP_TRANSPORT } from './mail.constants.js';

@Injectable()
export class MailService {
  private readonly replica = replicaId();

  constructor(@Inject(SMTP_TRANSPORT) private readonly smtp: Transporter) {}

  /** Sends the welcome email. The headers let anyone count emails per event and per replica. */
  async sendWelcome(event: UserCreatedEvent): Promise<void> {
    await this.smtp.sendMail({
      from: MAIL_FROM,
      to: event.user.email,
      subject: `Welcome, ${event.user.name}!`,
      text: `Hello ${event.user.name}, your account is ready.`,
      headers: {
        [MAIL_HEADERS.eventId]: event.eventId,
        [MAIL_HEADERS.userId]: event.user.id,
        [MAIL_HEADERS.replicaId]: this.replica,
        [MAIL_HEADERS.sentAt]: new Date().toISOString(),
      },
    });
    logDelivery('welcome email', event);
  }
}
