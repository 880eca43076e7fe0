/**
 * Known ports for `workshop local`, so bookmarks and the guide's `curl` lines
 * work as written: the ports infra/config.ts gives the deployed stack
 * (gateway 3000, MailDev 1080, push sink 8080), and two more for the guide
 * and the delivery board. A port someone else holds falls back to a free one,
 * with one line saying so. The graders and tests keep free ports throughout.
 */
import { createServer } from 'node:net';
import { freePort } from './ports';

export const LOCAL_PORTS = {
  gateway: 3000,
  mailDev: 1080,
  pushSink: 8080,
  guide: 5173,
  board: 5180,
} as const;

export type LocalPortName = keyof typeof LOCAL_PORTS;

/** Whether 127.0.0.1:`port` can be bound right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `port` if it is free, else a free port, and `say` is told which one and why. */
export async function preferPort(port: number, what: string, say: (line: string) => void): Promise<number> {
  if (await portIsFree(port)) return port;
  const other = await freePort();
  say(`port ${port} (${what}) is taken: using ${other} instead`);
  return other;
}

/** Every known port of `local`, each the fixed one or a free one. */
export async function localPorts(say: (line: string) => void = console.log): Promise<Record<LocalPortName, number>> {
  const names = Object.keys(LOCAL_PORTS) as LocalPortName[];
  const ports = {} as Record<LocalPortName, number>;
  // One at a time: two fallbacks must not get the same free port.
  for (const name of names) ports[name] = await preferPort(LOCAL_PORTS[name], name, say);
  return ports;
}
