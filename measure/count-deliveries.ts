/**
 * Measuring the bug: how many emails and pushes did each user get? Reads
 * MailDev's REST API and the push sink, and counts per user id: the mail
 * service stamps the user's id on every email (its X-User-Id header), and the
 * push service puts it in every notification (userId).
 */

/** An email as MailDev's REST API lists it. */
export interface MailDevEmail {
  id: string;
  subject: string;
  /** Every header of the email, by name as MailDev gives it: its mail parser lower-cases header names. */
  headers: Record<string, string | undefined>;
}

/** A notification as the push sink's `GET /notifications` lists it. */
export interface ReceivedPush {
  eventId: string;
  userId: string;
  replicaId: string;
}

/** Per user id: how many emails and pushes that user got (one of each is right; two is the bug). */
export type DeliveryCounts = Record<string, { emails: number; pushes: number }>;

export async function countDeliveries(mailDevUrl: string, pushSinkUrl: string): Promise<DeliveryCounts> {
  const emails = await listEmails(mailDevUrl);
  const pushes = (await getJson(`${pushSinkUrl}/notifications`)) as ReceivedPush[];
  const counts: DeliveryCounts = {};
  // TODO: count each email and each push under the id of the user it was for, so that a user who got
  // two welcome emails shows 2. Read services/mail/src/mail.service.ts for what the mail service stamps
  // on every email (the header names are in services/shared/src/events.ts), and the push type above for
  // what every push carries.
  return counts;
}

/** MailDev's emails: MailDev 3 (the local runtime's) serves its API under /api, MailDev 2 (the Docker image) at the root. */
async function listEmails(mailDevUrl: string): Promise<MailDevEmail[]> {
  try {
    return (await getJson(`${mailDevUrl}/api/email`)) as MailDevEmail[];
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    return (await getJson(`${mailDevUrl}/email`)) as MailDevEmail[];
  }
}

class NotFound extends Error {}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (response.status === 404) throw new NotFound(`GET ${url} answered 404`);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.json();
}
