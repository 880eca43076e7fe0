/**
 * The load: autocannon (a maintained HTTP benchmarking tool) POSTing users,
 * each with a unique email, bounded in time and in count; and a paced
 * sender for latency, which records when each user was POSTed.
 */
import autocannon from 'autocannon';
import { createUser } from '../src/grading/traffic';

export interface LoadOptions {
  connections: number;
  seconds: number;
  /** At most this many requests in all, whatever the time. */
  maxRequests: number;
}

export interface LoadResult {
  /** 2xx answers: users the gateway accepted. */
  accepted: number;
  /** The accepted users' ids by email address, read from each 201's body. */
  acceptedUsers: Map<string, string>;
  refused: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p99Ms: number;
}

/** POST users (a fresh email address each) to `url`. */
export async function hammer(url: string, options: LoadOptions, prefix = 'u'): Promise<LoadResult> {
  const acceptedUsers = new Map<string, string>();
  let next = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: options.connections,
    duration: options.seconds,
    maxOverallRequests: options.maxRequests,
    timeout: 10,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ email: `${prefix}-${next++}@example.com`, name: 'Bench User' }),
        }),
        // Which users were accepted, so that a loss is a user, not a difference of two counts.
        onResponse: (status, body) => {
          if (status !== 201) return;
          const user = JSON.parse(body) as { id: string; email: string };
          acceptedUsers.set(user.email, user.id);
        },
      },
    ],
  });
  const accepted = result['2xx'];
  return {
    accepted,
    acceptedUsers,
    refused: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds: result.duration,
    perSecond: accepted / result.duration,
    p99Ms: result.latency.p99,
  };
}

export interface PacedUser {
  id: string;
  /** When it was POSTed (epoch ms). */
  postedAt: number;
  /** When its 201 came back (epoch ms). */
  answeredAt: number;
}

export interface Paced {
  /** The users the gateway accepted, by email address. */
  accepted: Map<string, PacedUser>;
  /** Requests answered otherwise (or not at all). */
  refused: number;
}

/** `count` users at `perSecond`, on a schedule (never a burst); `during` runs meanwhile. */
export async function paced(gatewayUrl: string, count: number, perSecond: number, prefix: string): Promise<Paced> {
  const accepted = new Map<string, PacedUser>();
  let refused = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const email = `${prefix}-${i}@example.com`;
    const postedAt = performance.timeOrigin + performance.now();
    pending.push(
      createUser(gatewayUrl, email, 'Paced User').then(
        (user) =>
          void accepted.set(email, { id: user.id, postedAt, answeredAt: performance.timeOrigin + performance.now() }),
        () => void refused++,
      ),
    );
  }
  await Promise.all(pending);
  return { accepted, refused };
}
