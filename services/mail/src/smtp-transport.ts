import { createTransport, type Transporter } from 'nodemailer';
import { portOf, requireUrl } from '../../shared/src/env.js';

/**
 * At most this many SMTP connections per replica; further emails wait in the
 * pool's queue. One connection per email floods the server under load (it
 * answers late, sends time out, events are lost): a pool reuses a few.
 */
export const SMTP_MAX_CONNECTIONS = 5;

/** The SMTP server at SMTP_URL, through a pool of reused connections. */
export function createSmtpTransport(): Transporter {
  const smtp = requireUrl('SMTP_URL', ['smtp:']);
  return createTransport({
    pool: true,
    maxConnections: SMTP_MAX_CONNECTIONS,
    host: smtp.hostname,
    port: portOf(smtp, 25),
    // MailDev speaks plain SMTP: no TLS to negotiate on a local network.
    secure: false,
    ignoreTLS: true,
  });
}
