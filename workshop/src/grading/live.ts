/**
 * Live checks' access to a running system: started here on the local
 * runtime from the tree being graded, and stopped afterwards.
 */
import { Backing } from '../runtime/backing';
import { buildServices } from '../runtime/build';
import { Fleet } from '../runtime/fleet';
import { newLogDir } from '../runtime/local-runtime';
import { brokersOf, type Topology } from '../runtime/topology';
import { LatencyProxy } from '../chaos';
import { GradeError } from './expect';
import { gradingTarget, gradingTree, type Target } from './context';
import { stackOutputs, stackSinks } from './stack';
import type { MailDevClient, PushSinkClient } from '../sinks';
import type { BackingEndpoints } from '../runtime/backing';
import { waitForConsumers } from './consumers';
import { timed } from '../cli/progress';

export interface StartOptions {
  /** The check kills replicas and sets fault hooks: it runs on the local runtime only. */
  chaos?: boolean;
  /**
   * Puts a slow hop (this many ms per connection) between the mail replicas
   * and MailDev, like a slow provider: a killed replica always has emails in flight.
   */
  slowSmtpMs?: number;
}

/** What the checks read the counts from: the local backing services, or the deployed stack's. */
export interface Sinks {
  mail: MailDevClient;
  push: PushSinkClient;
  endpoints: Partial<BackingEndpoints> & { mailDevUrl: string; pushSinkUrl: string };
}

export interface LiveSystem {
  target: Target;
  backing: Sinks;
  /** The replicas, to kill and restart (local runtime only). */
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
  if (gradingTarget() === 'stack') return stackSystem(options);
  const tree = gradingTree();
  const logDir = await newLogDir(tree);
  let buildDir: string;
  try {
    buildDir = await timed('building the services', 'services built', buildServices(tree));
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
    target: 'local',
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

/** The deployed stack as a LiveSystem: its sinks and gateway; no replica control. */
async function stackSystem(options: StartOptions): Promise<LiveSystem> {
  if (options.chaos) {
    throw new GradeError(
      "This step's checks kill replicas and use the workshop's fault hooks: they run on the local runtime only (npm test, without --target stack).",
    );
  }
  const outputs = stackOutputs(gradingTree());
  const { mail, push } = await stackSinks(outputs);
  return {
    target: 'stack',
    backing: { mail, push, endpoints: { mailDevUrl: outputs.mailDevUrl, pushSinkUrl: outputs.pushSinkUrl } },
    get fleet(): Fleet {
      throw new GradeError('The deployed stack has no local replicas to control.');
    },
    gatewayUrl: outputs.gatewayUrl,
    logDir: 'docker logs <container>',
    async stop() {},
  };
}
