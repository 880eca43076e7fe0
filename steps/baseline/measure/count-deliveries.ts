/**
 * Measuring the bug: how many emails and pushes did each user get? Reads
 * MailDev's REST API and the push sink, and counts per user.
 */

/** An email as MailDev's `GET /api/email` lists it (headers are lower-cased). */
export interface MailDevEmail {
  id: string;
  subject: string;
  headers: Record<string, string | undefined>;
}

/** A notification as the push sink's `GET /notifications` lists it. */
export interface ReceivedPush {
  eventId: string;
  userId: string;
  replicaId: string;
}

/** Per user id: how many emails and pushes arrived. */
export type DeliveryCounts = Record<string, { emails: number; pushes: number }>;

export async function countDeliveries(mailDevUrl: string, pushSinkUrl: string): Promise<DeliveryCounts> {
  const emails = (await (await fetch(`${mailDevUrl}/api/email`)).json()) as MailDevEmail[];
  const pushes = (await (await fetch(`${pushSinkUrl}/notifications`)).json()) as ReceivedPush[];
  const counts: DeliveryCounts = {};
  // TODO: count each email for the user id in its x-user-id header, and each push for its userId.
  return counts;
}
