/**
 * The bytes of an event on the stream. The body is Nest's NATS packet,
 * `{ "pattern": "user.created", "data": {...} }`, so a core-NATS Nest
 * subscriber on the same subject still understands it; a bare JSON body (say
 * from `nats pub`) is taken as the data itself.
 */
export function encodeEvent(pattern: string, data: unknown): string {
  return JSON.stringify({ pattern, data });
}

export function decodeEvent(bytes: Uint8Array): unknown {
  const body: unknown = JSON.parse(new TextDecoder().decode(bytes));
  if (body && typeof body === 'object' && 'pattern' in body && 'data' in body) return body.data;
  return body;
}
