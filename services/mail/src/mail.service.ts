import { Inject, Injectable } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { MAIL_HEADERS, type UserCreatedEvent } from '../../shared/src/events.js';
import { chaosAroundSend } from '../../shared/src/chaos-hooks.js';
import { logDelivery } from '../../shared/src/delivery-log.js';
import { sendFailed } from '../../shared/src/failure.js';
import { replicaId } from '../../shared/src/replica.js';
import { MAIL_FROM, SMTP_TRANSPORT } from './mail.constants.js';

@Injectable()
export class MailService {
  private readonly replica = replicaId();

  constructor(@Inject(SMTP_TRANSPORT) private readonly smtp: Transporter) {}

  /**
   * Sends the welcome email. The headers let anyone count emails per event and
   * per replica. A failure is one log line, and an error for the transport.
   */
  async sendWelcome(event: UserCreatedEvent): Promise<void> {
    try {
      // WORKSHOP TEST HOOK around the send: a no-op unless a CHAOS_CRASH_* variable is set.
      await chaosAroundSend(() => this.send(event));
    } catch (error) {
      throw sendFailed('welcome email', event.eventId, error);
    }
    logDelivery('welcome email', event);
  }

  private async send(event: UserCreatedEvent): Promise<void> {
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
  }
}
