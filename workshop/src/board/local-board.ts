/**
 * The delivery board of a running local system: its feed reads the local
 * MailDev and push sink, and its control kills and restarts the fleet's
 * replicas.
 */
import type { Fleet } from '../runtime/fleet';
import type { LocalRuntime } from '../runtime/local-runtime';
import { DeliveryFeed } from './feed';
import { BoardServer, type BoardControl } from './server';

export function fleetControl(fleet: Fleet): BoardControl {
  const running = (id: string) => fleet.list().find((r) => r.id === id)?.process?.running ?? false;
  return {
    replicaIds: () => fleet.list().map((r) => r.id),
    kill: (id) => fleet.killReplica(id),
    async restart(id) {
      if (running(id)) await fleet.stopReplica(id);
      await fleet.startReplica(id);
    },
  };
}

export interface LocalBoard {
  url: string;
  stop(): Promise<void>;
}

/** `runtime`: the local runtime, or the same two parts started apart (as the tests do). */
export async function startLocalBoard(
  runtime: Pick<LocalRuntime, 'fleet' | 'backing'>,
  port?: number,
): Promise<LocalBoard> {
  const { fleet, backing } = runtime;
  const feed = new DeliveryFeed({
    mail: () => backing.mail.deliveries(),
    push: () => backing.push.deliveries(),
    replicas: () => fleet.list().map((r) => ({ id: r.id, service: r.service, running: r.process?.running ?? false })),
    controls: true,
  }).start();
  const server = await BoardServer.start({ feed, gatewayUrl: fleet.gatewayUrl, control: fleetControl(fleet), port });
  return {
    url: server.url,
    async stop() {
      await server.stop();
      await feed.stop();
    },
  };
}
