import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { NotificationStore, parseNotification } from './notification-store.js';

const MAX_BODY_BYTES = 16 * 1024;

/**
 * A stand-in for a push provider (FCM/APNs cannot run locally). It records
 * each notification with the replica that sent it:
 *   POST /notifications  record one     GET /notifications[?eventId=&userId=]  list
 *   DELETE /notifications  clear all    GET /health
 */
export function createPushSink(store = new NotificationStore()): Server {
  return createServer((req, res) => {
    handle(store, req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
  });
}

async function handle(store: NotificationStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sink');
  if (url.pathname === '/health' && req.method === 'GET') return send(res, 200, { status: 'ok' });
  if (url.pathname !== '/notifications') return send(res, 404, { error: `no route ${req.method} ${url.pathname}` });

  switch (req.method) {
    case 'GET': {
      const eventId = url.searchParams.get('eventId') ?? undefined;
      const userId = url.searchParams.get('userId') ?? undefined;
      return send(res, 200, store.list({ eventId, userId }));
    }
    case 'DELETE':
      return send(res, 200, { deleted: store.clear() });
    case 'POST': {
      if (!isJson(req.headers['content-type'])) {
        await drain(req);
        return send(res, 415, { error: 'send the notification as JSON, with Content-Type: application/json' });
      }
      const bytes = await readBody(req);
      if (bytes === undefined) return send(res, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` });
      let text: string;
      try {
        text = strictUtf8.decode(bytes);
      } catch {
        return send(res, 400, { error: 'body is not valid UTF-8' });
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return send(res, 400, { error: 'body is not valid JSON' });
      }
      const parsed = parseNotification(body);
      if ('unknown' in parsed) return send(res, 400, { error: `unknown field(s): ${parsed.unknown.join(', ')}` });
      if ('invalid' in parsed) {
        return send(res, 400, { error: `missing or empty string field(s): ${parsed.invalid.join(', ')}` });
      }
      return send(res, 201, store.add(parsed));
    }
    default:
      return send(res, 405, { error: `method ${req.method} not allowed on /notifications` });
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** application/json, with no charset or utf-8 (any other charset is not what JSON.parse reads here). */
function isJson(contentType: string | undefined): boolean {
  const [type, ...params] = (contentType ?? '')
    .toLowerCase()
    .split(';')
    .map((p) => p.trim());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  return type === 'application/json' && (charset === undefined || charset === 'utf-8' || charset === 'utf8');
}

/**
 * The body's bytes, or undefined when it is larger than the limit. The rest
 * of an oversized body is read and dropped, so the 413 reaches the client
 * (destroying the request would cut the connection before the answer).
 */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

/** Reads a body that will not be used, so the connection can carry the answer (and be reused). */
async function drain(req: IncomingMessage): Promise<void> {
  for await (const chunk of req) void chunk;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
