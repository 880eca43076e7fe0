/**
 * Live checks' access to a running system: started here on the local
 * runtime from the tree being graded, and stopped afterwards.
 */
import { Backing } from '../runtime/backing';
import { buildServices } from '../runtime/build';
import { Fleet } from '../runtime/fleet';
import { defaultLogDir } from '../runtime/local-runtime';
import { brokersOf, type Topology } from '../runtime/topology';
import { GradeError } from './expect';
import { gradingTree } from './context';

export interface LiveSystem {
  backing: Backing;
  fleet: Fleet;
  gatewayUrl: string;
  logDir: string;
  stop(): Promise<void>;
}

/**
 * Starts the graded tree's services with `topology`. A replica that cannot
 * start fails the check with what it printed, and `advice` (what the step
 * expects), instead of a stack trace.
 */
export async function startSystem(topology: Topology, advice: string): Promise<LiveSystem> {
  const tree = gradingTree();
  const logDir = defaultLogDir(tree);
  let buildDir: string;
  try {
    buildDir = await buildServices(tree);
  } catch (error) {
    throw new GradeError(`The services do not compile: ${(error as Error).message}`);
  }
  const brokers = brokersOf(topology);
  const backing = await Backing.start({
    redis: brokers.includes('redis'),
    nats: brokers.includes('nats'),
    buildDir,
    logDir,
  });
  let fleet: Fleet;
  try {
    fleet = await Fleet.start(topology, backing.endpoints, buildDir, logDir);
  } catch (error) {
    await backing.stop();
    throw new GradeError(
      `The system did not start with ${brokers.join(' and ')} as its broker(s).\n` +
        `${advice}\nWhat happened: ${(error as Error).message}\n(all logs: ${logDir})`,
    );
  }
  return {
    backing,
    fleet,
    gatewayUrl: fleet.gatewayUrl,
    logDir,
    async stop() {
      await fleet.stop();
      await backing.stop();
    },
  };
}
