import { createTransport, type Transporter } from 'nodemailer';
import { portOf, requireUrl } from '../../shared/src/env.js';

/**
 * At most this many SMTP connections per replica; further emails wait in the
 * pool's queue. One connection per email floods the server under load (it
 * answers late, sends time out, events are lost): a pool reuses a few.
 */
export const SMTP_MAX_CONNECTIONS = 5;

/** How long a send may wait on the SMTP server, per phase. */
export const SMTP_TIMEOUTS_MS = { connect: 10_000, greeting: 15_000, socket: 30_000 };

/** The SMTP server at SMTP_URL, through a pool of reused connections. */
export function createSmtpTransport(): Transporter {
  const smtp = requireUrl('SMTP_URL', ['smtp:']);
  return createTransport({
    pool: true,
    maxConnections: SMTP_MAX_CONNECTIONS,
    // nodemailer's pool closes each connection after 100 emails by default
    // and opens a new one (a TCP connect, the server's greeting, EHLO, a new
    // session for the server to set up). Keep them; one the server closes is
    // replaced when the next email needs it.
    maxMessages: Infinity,
    host: smtp.hostname,
    port: portOf(smtp, 25),
    // MailDev speaks plain SMTP: no TLS to negotiate on a local network.
    secure: false,
    ignoreTLS: true,
    // nodemailer waits up to 2 min to connect and 10 min on a silent socket by
    // default: a stuck SMTP server would hold the event for that long. Fail
    // sooner (well within the transports' handler deadline) and let the
    // broker redeliver.
    connectionTimeout: SMTP_TIMEOUTS_MS.connect,
    greetingTimeout: SMTP_TIMEOUTS_MS.greeting,
    socketTimeout: SMTP_TIMEOUTS_MS.socket,
  });
}
