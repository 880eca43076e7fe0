import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy that holds each new connection for `delayMs` before it reaches
 * the target: put it between the mail replicas and MailDev (SMTP_URL) and
 * every email takes that long, like a slow provider. It works the same for
 * any transport, so the same chaos applies to steps 3, 4 and 5.
 */
export class LatencyProxy {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly port: number,
  ) {}

  /** `target` is a URL (smtp://127.0.0.1:2525); the proxy listens on a free loopback port. */
  static async start(target: string, delayMs: number): Promise<LatencyProxy> {
    const { hostname, port } = new URL(target);
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      sockets.add(client);
      client.pause();
      client.on('error', () => client.destroy());
      client.on('close', () => sockets.delete(client));
      setTimeout(() => {
        if (client.destroyed) return;
        const upstream = tcpConnect(Number(port), hostname, () => {
          client.pipe(upstream);
          upstream.pipe(client);
          client.resume();
        });
        sockets.add(upstream);
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => {
          sockets.delete(upstream);
          client.destroy();
        });
        client.on('close', () => upstream.destroy());
      }, delayMs);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the latency proxy has no TCP address');
    return new LatencyProxy(server, sockets, address.port);
  }

  /** The proxy's address with the target's scheme, e.g. smtp://127.0.0.1:40123. */
  url(protocol = 'smtp:'): string {
    return `${protocol}//127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
