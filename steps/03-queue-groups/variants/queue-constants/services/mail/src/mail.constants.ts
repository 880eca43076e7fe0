/** The sender of the welcome email. */
export const MAIL_FROM = 'Workshop <welcome@workshop.local>';

/** Injection token of the nodemailer transport. */
export const SMTP_TRANSPORT = 'SMTP_TRANSPORT';

/** The NATS queue group shared by this service's replicas (and by no other service). */
export const MAIL_QUEUE = 'workshop.mail-service';
