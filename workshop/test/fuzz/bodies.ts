/**
 * Generated bad request bodies for the fuzz tests of the gateway and the push
 * sink (fast-check arbitraries). Each one is built from a valid body and
 * broken in one known way, so every case is invalid by construction and the
 * test can demand a 4xx for all of them.
 */
import fc from 'fast-check';

export interface BadRequest {
  /** Which way it is broken, for the failure message and the counts. */
  kind: string;
  body: Uint8Array;
  contentType: string | undefined;
}

const JSON_TYPE = 'application/json';
const utf8 = (text: string) => new TextEncoder().encode(text);
const asJson = (kind: string, text: string): BadRequest => ({ kind, body: utf8(text), contentType: JSON_TYPE });

/** Any JSON value but a string: what a field of the wrong type may hold. */
const notAString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

/** Nesting `depth` levels deep, as JSON text: arrays or objects. */
const nested = fc
  .tuple(fc.integer({ min: 2, max: 6_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

/** Byte sequences that are not UTF-8: a stray byte, a cut sequence, an overlong form, a lone surrogate. */
const invalidUtf8 = fc.constantFrom(
  [0xff],
  [0xfe, 0xfe],
  [0xc3, 0x28],
  [0xe2, 0x82],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x80],
);

const wrongTypes = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'text/json',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
];

/**
 * Every way of breaking `valid` that both servers must refuse. `stringField`
 * is the field that gets huge strings and invalid UTF-8 (it must be a string
 * field of `valid`).
 */
export function badRequests(
  valid: Record<string, string>,
  stringField: string,
  ...extra: fc.Arbitrary<BadRequest>[]
): fc.Arbitrary<BadRequest> {
  const fields = Object.keys(valid);
  const text = JSON.stringify(valid);
  // `field` holding `json` (raw JSON text) instead of its string.
  const withField = (field: string, json: string) =>
    JSON.stringify({ ...valid, [field]: '\u0001' }).replace('"\\u0001"', () => json);
  return fc.oneof(
    // A field of the wrong type.
    fc
      .tuple(fc.constantFrom(...fields), notAString)
      .map(([field, value]) => asJson('wrong type', JSON.stringify({ ...valid, [field]: value }))),
    // A field missing.
    fc.constantFrom(...fields).map((field) => {
      const copy: Record<string, string> = { ...valid };
      delete copy[field];
      return asJson('missing field', JSON.stringify(copy));
    }),
    // A huge string (over any body limit), in one of several alphabets.
    fc
      .tuple(fc.integer({ min: 20_000, max: 100_000 }), fc.constantFrom('a', 'é', '\u0000', '😀', '"'))
      .map(([length, char]) => asJson('huge string', JSON.stringify({ ...valid, [stringField]: char.repeat(length) }))),
    // Deep nesting, as the whole body or as a field's value.
    fc
      .tuple(nested, fc.constantFrom(...fields), fc.boolean())
      .map(([json, field, whole]) => asJson('deep nesting', whole ? json : withField(field, json))),
    // A prototype-pollution key beside valid fields.
    fc
      .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.jsonValue({ maxDepth: 2 }))
      .map(([key, value]) =>
        asJson('prototype key', `${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(value ?? null)}}`),
      ),
    // Invalid UTF-8 inside a string value.
    fc.tuple(invalidUtf8, fc.nat()).map(([bad, at]) => {
      const value = valid[stringField];
      const cut = at % (value.length + 1);
      const [before, after] = text.split(JSON.stringify(value));
      const bytes = [...utf8(`${before}"${value.slice(0, cut)}`), ...bad, ...utf8(`${value.slice(cut)}"${after}`)];
      return { kind: 'invalid UTF-8', body: Uint8Array.from(bytes), contentType: JSON_TYPE };
    }),
    // A valid body under a content type that is not JSON (or none at all).
    fc
      .option(fc.constantFrom(...wrongTypes), { nil: undefined })
      .map((contentType) => ({ kind: 'wrong content type', body: utf8(text), contentType })),
    // Truncated JSON: cut anywhere before the end.
    fc.nat({ max: text.length - 1 }).map((at) => asJson('truncated JSON', text.slice(0, at))),
    // Not an object at all.
    fc
      .jsonValue({ maxDepth: 3 })
      .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
      .map((v) => asJson('not an object', JSON.stringify(v))),
    ...extra,
  );
}

/** What a readable error message is: short, one piece of text per problem, no stack trace. */
export function readableMessage(message: unknown): string | undefined {
  const parts = Array.isArray(message) ? message : [message];
  if (parts.length === 0 || !parts.every((p) => typeof p === 'string' && p.length > 0 && p.length <= 300)) {
    return undefined;
  }
  const joined = (parts as string[]).join('; ');
  return /\n\s+at /.test(joined) ? undefined : joined;
}

/** Sends one generated request; answers the status and the parsed JSON body (undefined if not JSON). */
export async function send(url: string, request: BadRequest): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: request.contentType === undefined ? {} : { 'content-type': request.contentType },
    body: request.body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}
