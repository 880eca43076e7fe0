/**
 * body-parser's `verify` hook: a body that is not valid UTF-8 is a 400.
 * Without it, the bad bytes were decoded as U+FFFD and a mangled name was
 * stored as if the client had sent it.
 */
const strict = new TextDecoder('utf-8', { fatal: true });

export function requireUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  try {
    strict.decode(body);
  } catch {
    throw Object.assign(new Error('the body is not valid UTF-8: send the user as UTF-8 encoded JSON'), {
      status: 400,
      statusCode: 400,
      expose: true,
    });
  }
}
