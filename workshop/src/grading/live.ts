/**
 * Live checks' access to a running system: started here on the local
 * runtime from the tree being graded, and stopped afterwards.
 */
import { Backing } from '../runtime/backing';
import { buildServices } from '../runtime/build';
import { Fleet } from '../runtime/fleet';
import { defaultLogDir } from '../runtime/local-runtime';
import { brokersOf, type Topology } from '../runtime/topology';
import { LatencyProxy } from '../chaos';
import { GradeError } from './expect';
import { gradingTree } from './context';
import { waitForConsumers } from './consumers';

export interface StartOptions {
  /**
   * Puts a slow hop (this many ms per connection) between the mail replicas
   * and MailDev, like a slow provider: a killed replica always has emails in flight.
   */
  slowSmtpMs?: number;
}

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
export async function startSystem(topology: Topology, advice: string, options: StartOptions = {}): Promise<LiveSystem> {
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
  let slow: LatencyProxy | undefined;
  try {
    if (options.slowSmtpMs) {
      slow = await LatencyProxy.start(backing.endpoints.smtpUrl, options.slowSmtpMs);
      const env = { ...topology.env, mail: { ...topology.env?.mail, SMTP_URL: slow.url() } };
      topology = { ...topology, env };
    }
    fleet = await Fleet.start(topology, backing.endpoints, buildDir, logDir);
    if (topology.waitForSubscriptions === false) {
      const consumers = fleet.list().filter((r) => r.service === 'mail' || r.service === 'push').length;
      await waitForConsumers(backing.endpoints, consumers).catch(async (error: Error) => {
        await fleet.stop();
        throw error;
      });
    }
  } catch (error) {
    await slow?.stop();
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
      await slow?.stop();
      await backing.stop();
    },
  };
}
