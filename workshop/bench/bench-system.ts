/**
 * One configuration running on the local runtime for the bench: its step's
 * end tree built, its brokers (restartable, see brokers.ts), MailDev and the
 * push sink, and the replicas.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForConsumers } from '../src/grading/consumers';
import { Backing } from '../src/runtime/backing';
import { BROKERS } from '../src/runtime/brokers';
import { buildServices } from '../src/runtime/build';
import { Fleet } from '../src/runtime/fleet';
import { defaultLogDir } from '../src/runtime/local-runtime';
import { consumerCount, type Topology, type Transport } from '../src/runtime/topology';
import { endOverlays, getStep, REPO } from '../src/steps/manifest';
import { makeTree } from '../src/steps/tree';
import { Broker } from './brokers';
import type { Watched } from './cpu';

export class BenchSystem {
  private constructor(
    readonly backing: Backing,
    readonly brokers: Map<Transport, Broker>,
    readonly fleet: Fleet,
    readonly logDir: string,
    private readonly scratch: string,
  ) {}

  /** Builds the end of `step` into a tree of its own and starts it with `topology` (`fsync`: see Broker.start). */
  static async start(
    step: number,
    topology: Topology,
    name: string,
    fsync: 'always' | 'everysec' = 'always',
  ): Promise<BenchSystem> {
    const tree = await makeTree(REPO, `bench-${name}`, endOverlays(getStep(step)));
    const buildDir = await buildServices(tree);
    const logDir = join(defaultLogDir(REPO), name);
    await mkdir(logDir, { recursive: true });
    const scratch = await mkdtemp(join(tmpdir(), 'workshop-bench-'));
    const brokers = new Map<Transport, Broker>();
    let backing: Backing | undefined;
    try {
      for (const kind of topology.brokers) {
        await mkdir(join(scratch, kind));
        brokers.set(kind, await Broker.start(kind, join(scratch, kind), logDir, fsync));
      }
      backing = await Backing.start({ brokers: [], buildDir, logDir });
      const endpoints = {
        ...backing.endpoints,
        redisUrl: brokers.get('redis')?.url,
        natsUrl: brokers.get('nats')?.url,
        natsMonitorUrl: brokers.get('nats')?.monitorUrl,
        natsToken: brokers.get('nats')?.token,
      };
      const fleet = await Fleet.start(topology, endpoints, buildDir, logDir);
      const consumers = consumerCount(topology);
      if (topology.waitForSubscriptions === false && consumers > 0) await waitForConsumers(endpoints, consumers);
      return new BenchSystem(backing, brokers, fleet, logDir, scratch);
    } catch (error) {
      await backing?.stop();
      await Promise.all([...brokers.values()].map((b) => b.stop()));
      await rm(scratch, { recursive: true, force: true });
      throw new Error(`${name} did not start (logs: ${logDir}): ${(error as Error).message}`);
    }
  }

  get gatewayUrl(): string {
    return this.fleet.gatewayUrl;
  }

  /** Every process of the run, by the name the CPU table gives it, with its pid. */
  processes(): Watched[] {
    const replicas = this.fleet
      .list()
      .flatMap((r) => (r.process?.running && r.process.pid !== undefined ? [{ name: r.id, pid: r.process.pid }] : []));
    const brokers = [...this.brokers.values()].flatMap((b) =>
      b.pid === undefined ? [] : [{ name: BROKERS[b.kind].server, pid: b.pid }],
    );
    return [...replicas, ...brokers, ...this.backing.processIds()];
  }

  async stop(): Promise<void> {
    await this.fleet.stop();
    await this.backing.stop();
    await Promise.all([...this.brokers.values()].map((b) => b.stop()));
    await rm(this.scratch, { recursive: true, force: true });
  }
}
