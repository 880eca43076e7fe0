/**
 * The delivery board's endpoint, on 127.0.0.1 only:
 *
 *   GET  /events                  Server-Sent Events: a snapshot, then each delivery and lifecycle change
 *   GET  /state                   the snapshot as JSON
 *   POST /users?count=N           create N users through the gateway (1 to 1000), at a pace a kill can land in
 *   POST /replicas/<id>/kill      SIGKILL a replica of the running system (a crash)
 *   POST /replicas/<id>/restart   start it again (stopping it first if it runs)
 *
 * Each request passes the guard (a loopback client, a page from this machine);
 * the POSTs only where the runtime gave a control (not for a deployed stack).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BURST_RATE } from '../grading/bursts';
import { startBurst } from '../grading/chaos';
import type { DeliveryFeed } from './feed';
import { refuse } from './guard';

export interface BoardControl {
  /** The ids of the running system's replicas (mail-1, push-2, ...). */
  replicaIds(): string[];
  kill(id: string): Promise<void>;
  restart(id: string): Promise<void>;
}

export interface BoardServerOptions {
  feed: DeliveryFeed;
  gatewayUrl: string;
  /** Kill and restart; absent for a deployed stack. */
  control?: BoardControl;
  /** Default: a free port. */
  port?: number;
}

export const MAX_USERS_PER_REQUEST = 1_000;

export class BoardServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly closeStreams: () => void,
  ) {}

  static async start(options: BoardServerOptions): Promise<BoardServer> {
    const streams = new Set<ServerResponse>();
    const server = createServer((request, response) => {
      handle(request, response, options, streams).catch((error: Error) => {
        if (!response.headersSent) reply(response, 500, { error: error.message });
        else response.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the board has no TCP address');
    return new BoardServer(server, `http://127.0.0.1:${address.port}`, () => {
      for (const stream of streams) stream.end();
    });
  }

  async stop(): Promise<void> {
    this.closeStreams();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** A page of the guide (another port of this machine) may read and press the buttons. */
function allowOrigin(request: IncomingMessage, response: ServerResponse): void {
  const { origin } = request.headers;
  if (!origin) return;
  response.setHeader('access-control-allow-origin', origin);
  response.setHeader('vary', 'origin');
  response.setHeader('access-control-allow-methods', 'GET, POST');
  response.setHeader('access-control-allow-headers', 'content-type');
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  { feed, gatewayUrl, control }: BoardServerOptions,
  streams: Set<ServerResponse>,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const method = request.method ?? 'GET';
  const reading = method === 'GET' || method === 'OPTIONS';
  const refusal = refuse(request, reading ? 'read the delivery board' : 'change the running system');
  if (refusal) return reply(response, refusal.status, { error: refusal.message });
  allowOrigin(request, response);

  if (method === 'OPTIONS') {
    response.writeHead(204).end();
    return;
  }
  if (method === 'GET' && url.pathname === '/events') {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    streams.add(response);
    const unsubscribe = feed.subscribe((message) => response.write(`data: ${JSON.stringify(message)}\n\n`));
    const keepAlive = setInterval(() => response.write(': still here\n\n'), 15_000);
    response.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(response);
    });
    return;
  }
  if (method === 'GET' && url.pathname === '/state') return reply(response, 200, feed.snapshot());

  if (method === 'POST' && url.pathname === '/users') {
    const count = Number(url.searchParams.get('count') ?? 1);
    if (!Number.isInteger(count) || count < 1 || count > MAX_USERS_PER_REQUEST) {
      return reply(response, 400, {
        error: `count is a whole number from 1 to ${MAX_USERS_PER_REQUEST}, not "${url.searchParams.get('count')}"`,
      });
    }
    const burst = startBurst(gatewayUrl, count, {
      perSecond: BURST_RATE,
      prefix: `board-${Date.now().toString(36).slice(-4)}`,
      onUser: (user) => feed.addUsers([{ id: user.id, email: user.email, at: Date.now() }]),
    });
    const users = await burst.done;
    return reply(response, 200, { created: users.length });
  }

  const replicaAction = /^\/replicas\/([^/]+)\/(kill|restart)$/.exec(url.pathname);
  if (method === 'POST' && replicaAction) {
    const [, id, action] = replicaAction;
    const name = decodeURIComponent(id);
    if (!control)
      return reply(response, 409, { error: 'this board watches a deployed stack: it has no replicas to control' });
    const known = control.replicaIds();
    if (!known.includes(name)) {
      return reply(response, 404, {
        error: `no replica "${name}" in the running system (there are: ${known.join(', ')})`,
      });
    }
    await (action === 'kill' ? control.kill(name) : control.restart(name));
    return reply(response, 200, { replica: name, done: action });
  }
  return reply(response, 404, { error: `no ${method} ${url.pathname} here` });
}
