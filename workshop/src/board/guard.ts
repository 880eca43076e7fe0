/**
 * Who may do what on the board's endpoint. Reading is for pages on this
 * machine; killing a replica, restarting it or creating users only for a
 * client on the loopback interface, and, from a browser, only for a page
 * served from this machine (a page from elsewhere, open in the learner's
 * browser, must not reach the replicas through it).
 */
import type { IncomingMessage } from 'node:http';

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (::ffff:127.0.0.1). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** A browser page's origin served from this machine (the guide), or none at all (curl, the CLI). */
export function isLocalOrigin(origin: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    const { hostname, protocol } = new URL(origin);
    return (protocol === 'http:' || protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
  } catch {
    return false;
  }
}

export type Refusal = { status: number; message: string } | undefined;

/**
 * Why `request` may not `doing` (read the board, kill a replica...), or
 * undefined if it may. The server listens on 127.0.0.1 only: the address
 * check holds even if someone binds it wider one day.
 */
export function refuse(request: Pick<IncomingMessage, 'socket' | 'headers'>, doing: string): Refusal {
  const { remoteAddress } = request.socket;
  if (!isLoopbackAddress(remoteAddress)) {
    return {
      status: 403,
      message: `only a client on this machine may ${doing}, not ${remoteAddress ?? 'an unknown address'}`,
    };
  }
  const { origin } = request.headers;
  if (!isLocalOrigin(origin)) return { status: 403, message: `a page from ${origin} may not ${doing}` };
  return undefined;
}
