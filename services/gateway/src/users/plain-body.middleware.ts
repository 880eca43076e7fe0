/** What this middleware uses of Express's request and response. */
interface Request {
  method: string;
  body?: unknown;
}
interface Response {
  status(code: number): { json(body: unknown): unknown };
}

/**
 * Keys that JSON.parse keeps as own properties but that class-transformer
 * and the ValidationPipe's whitelist do not see as fields (so an extra one
 * got through as a 201): refused by name.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A user is one flat JSON object of strings. Checked before the
 * ValidationPipe, whose class-transformer recurses into whatever it is
 * given: 5,000 nested arrays overflowed its stack (a 500). Anything else is
 * a 400 that says what to send.
 */
export function requirePlainBody(req: Request, res: Response, next: () => void): void {
  if (req.method !== 'POST') return next();
  const problem = problemWith(req.body);
  if (!problem) return next();
  res.status(400).json({ statusCode: 400, error: 'Bad Request', message: [problem] });
}

export function problemWith(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'send one user as a JSON object: {"email": "...", "name": "..."}';
  }
  for (const [key, value] of Object.entries(body)) {
    if (FORBIDDEN_KEYS.has(key)) return `property ${key} should not exist`;
    if (typeof value === 'object' && value !== null) {
      return `property ${printable(key)} holds ${Array.isArray(value) ? 'an array' : 'an object'}: a user's fields are strings`;
    }
  }
  return undefined;
}

/** A key as it can be shown in a message: control characters escaped, at most 40 characters. */
function printable(key: string): string {
  const escaped = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}...` : key);
  return escaped.slice(1, -1);
}
