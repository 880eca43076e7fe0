/**
 * Live checks' access to a running system: started here on the local
 * runtime from the tree being graded, and stopped afterwards.
 */
import type { BackingEndpoints } from '../runtime/backing';
import type { Fleet } from '../runtime/fleet';
import { LocalRuntime, newLogDir, SystemStartError } from '../runtime/local-runtime';
import { consumerCount, type Topology } from '../runtime/topology';
import { waitForConsumers } from './consumers';
import { gradingTarget, gradingTree, type Target } from './context';
import { GradeError } from './expect';
import type { MailDevClient, PushSinkClient } from './sinks';
import { stackOutputs, stackSinks } from './stack';

export interface StartOptions {
  /** The check kills replicas and sets fault hooks: it runs on the local runtime only. */
  chaos?: boolean;
  /**
   * Puts a slow hop (this many ms per connection) between the mail replicas
   * and MailDev, like a slow provider: a killed replica always has emails in flight.
   */
  slowSmtpMs?: number;
}

/**
 * What the checks read the counts from: the local runtime's backing services
 * (MailDev, the push sink, the brokers), or the deployed stack's sinks.
 */
export interface LiveBacking {
  mail: MailDevClient;
  push: PushSinkClient;
  /** The brokers' endpoints are known on the local runtime only. */
  endpoints: Partial<BackingEndpoints> & Pick<BackingEndpoints, 'mailDevUrl' | 'pushSinkUrl'>;
}

export interface LiveSystem {
  target: Target;
  backing: LiveBacking;
  /** The replicas, to kill and restart (local runtime only). */
  fleet: Fleet;
  gatewayUrl: string;
  logDir: string;
  stop(): Promise<void>;
}

/**
 * Starts the graded tree's services with `topology`, on the same runtime as
 * `workshop local`. A replica that cannot start fails the check with what it
 * printed, and `advice` (what the step expects), instead of a stack trace.
 */
export async function startSystem(topology: Topology, advice: string, options: StartOptions = {}): Promise<LiveSystem> {
  if (gradingTarget() === 'stack') return stackSystem(options);
  const tree = gradingTree();
  const logDir = await newLogDir(tree);
  // Consumers that pull hold no subscription for the fleet to count: wait on whatever they use.
  const ready =
    topology.waitForSubscriptions === false
      ? (endpoints: BackingEndpoints) => waitForConsumers(endpoints, consumerCount(topology))
      : undefined;
  try {
    const runtime = await LocalRuntime.start({ root: tree, topology, logDir, slowSmtpMs: options.slowSmtpMs, ready });
    return {
      target: 'local',
      backing: runtime.backing,
      fleet: runtime.fleet,
      gatewayUrl: runtime.fleet.gatewayUrl,
      logDir,
      stop: () => runtime.stop(),
    };
  } catch (error) {
    if (!(error instanceof SystemStartError)) throw error;
    if (error.phase === 'build') throw new GradeError(`The services do not compile: ${error.message}`);
    throw new GradeError(
      `The system did not start with ${topology.brokers.join(' and ')} as its broker(s).\n` +
        `${advice}\nWhat happened: ${error.message}\n(all logs: ${logDir})`,
    );
  }
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
