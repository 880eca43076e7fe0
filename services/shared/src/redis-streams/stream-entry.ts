/**
 * How an event travels in a Redis stream: one entry per event, with a single
 * field `packet` holding Nest's serialized packet ({ pattern, data }) as JSON.
 * The stream's key is the event pattern itself (e.g. `user.created`), so
 * `redis-cli XINFO GROUPS user.created` shows who consumes it.
 */

/** The one field of an entry. */
export const PACKET_FIELD = 'packet';

/** The stream that carries an event pattern. */
export function streamKey(pattern: string): string {
  return pattern;
}

/** An entry as XREADGROUP / XAUTOCLAIM return it: [id, [field, value, ...]], fields null once trimmed away. */
export type RawEntry = [id: string, fields: string[] | null];

/** The reply of XREADGROUP: [[stream, entries]], or null when BLOCK timed out. */
export type ReadGroupReply = [stream: string, entries: RawEntry[]][] | null;

/** The value of `name` among an entry's fields, or undefined. */
export function fieldOf(fields: string[] | null, name: string): string | undefined {
  if (!fields) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === name) return fields[i + 1];
  }
  return undefined;
}
