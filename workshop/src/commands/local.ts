import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { planToTopology, readPlan } from '../plan';
import { BROKER_KINDS, isBrokerKind } from '../runtime/brokers';
import { LocalRuntime } from '../runtime/local-runtime';
import { ManagedProcess } from '../runtime/managed-process';
import { startLocalBoard } from '../board/local-board';
import { linePrinter } from '../runtime/log-prefix';
import { localPorts } from '../runtime/preferred-ports';
import { MissingToolError, packageFile } from '../runtime/tools';
import type { BackingEndpoints } from '../runtime/backing';
import { consumerCount, topology, type Topology, type Transport } from '../runtime/topology';
import { REPO } from '../steps/manifest';
import { ENDPOINTS_FILE } from './measure';
import { showProgress, timed } from '../cli/progress';
import { stackMismatch } from '../cli/stack-mismatch';
import { bold, green } from '../cli/style';
import { waitForConsumers } from '../grading/consumers';

export interface LocalOptions {
  transport: Transport;
  mail: number;
  push: number;
  /** Run what the learner's Pulumi program declares (stack dev) instead. */
  plan: boolean;
  /** Serve the guide too (default). */
  docs: boolean;
  /** Do not show the replicas' lines (they stay in the log files). */
  quiet?: boolean;
}

async function chooseTopology(options: LocalOptions): Promise<{ topology: Topology; what: string }> {
  if (options.plan) {
    const plan = await timed('reading your Pulumi program', 'Pulumi program read', readPlan(join(REPO, 'infra')));
    // Consumers are waited for in localCommand, however they consume.
    const t = { ...planToTopology(plan), waitForSubscriptions: false };
    return { topology: t, what: `what your Pulumi program declares (stack ${plan.stack}, ${t.transport})` };
  }
  const { transport, mail, push } = options;
  if (!isBrokerKind(transport)) throw new Error(`the transport is ${BROKER_KINDS.join(' or ')}, not "${transport}"`);
  if (!(mail >= 1 && push >= 1)) throw new Error('--mail and --push take a number of replicas, 1 or more');
  // With NATS, Redis runs beside it: from step 5 on, the consumers keep the events they handled there.
  const brokers: Transport[] = transport === 'nats' ? ['nats', 'redis'] : ['redis'];
  return {
    topology: { ...topology(transport, mail, push, brokers), waitForSubscriptions: false },
    what: `${transport} with ${mail} mail and ${push} push replica(s)${transport === 'nats' ? ', Redis beside it (the store of step 5)' : ''}`,
  };
}

/** The guide's dev server on `port`, its delivery board pointed at `boardUrl`. */
async function startDocs(
  logDir: string,
  port: number,
  boardUrl: string,
): Promise<{ url: string; process: ManagedProcess }> {
  const docs = new ManagedProcess({
    name: 'guide',
    command: process.execPath,
    args: [
      packageFile('vitepress', 'bin', 'vitepress.js'),
      'dev',
      'workshop-docs',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--strictPort',
    ],
    cwd: REPO,
    env: { VITE_WORKSHOP_BOARD_URL: boardUrl },
    logFile: join(logDir, 'guide.log'),
  });
  // A guide that never says it is ready is stopped: the system runs on without it.
  await docs.waitForLine(/Local:|ready in/i, 60_000).catch(async (error: unknown) => {
    await docs.stop();
    throw error;
  });
  return { url: `http://127.0.0.1:${port}/`, process: docs };
}

/**
 * `workshop local [redis|nats] [--mail N] [--push N] [--plan] [--no-docs]`:
 * runs the system as processes on this machine, and the guide, and prints
 * where to look, until Ctrl-C.
 */
export async function localCommand(options: LocalOptions): Promise<number> {
  showProgress();
  const { topology: chosen, what } = await chooseTopology(options);
  console.log(bold(`Starting ${what}...`));
  const ports = await localPorts();
  const onLine = options.quiet ? undefined : linePrinter();
  // Consumers are waited for however they consume (subscription, durable, stream group).
  const ready = (endpoints: BackingEndpoints) => waitForConsumers(endpoints, consumerCount(chosen));
  const runtime = await LocalRuntime.start({ root: REPO, topology: chosen, ready, ports, onLine }).catch(
    (error: Error) => {
      if (error instanceof MissingToolError) throw error;
      // A broker the code and the chosen run disagree on is one line that says what to change.
      const run = { plan: options.plan, transport: options.transport, infraDir: join(REPO, 'infra') };
      const mismatch = stackMismatch(error.message, run);
      throw new Error(mismatch ?? error.message);
    },
  );
  const board = await startLocalBoard(runtime, ports.board);
  const docs = options.docs
    ? await timed('starting the guide', 'guide ready', startDocs(runtime.logDir, ports.guide, board.url)).catch(
        (error: Error) => {
          console.log(`(the guide did not start: ${error.message.split('\n')[0]}; try npm run docs:dev)`);
          return undefined;
        },
      )
    : undefined;
  showProgress(false);
  const { gatewayUrl, mailDevUrl, pushSinkUrl } = runtime.endpoints;
  // For `workshop measure`, in another terminal.
  await mkdir(dirname(ENDPOINTS_FILE), { recursive: true });
  const boardUrl = board.url;
  await writeFile(ENDPOINTS_FILE, JSON.stringify({ gatewayUrl, mailDevUrl, pushSinkUrl, boardUrl }, null, 2));
  console.log(`
${green('Ready.')}
  Guide           ${docs?.url ?? '(not started: npm run docs:dev)'}
  Gateway         ${gatewayUrl}   try: curl -X POST ${gatewayUrl}/users -H 'content-type: application/json' -d '{"email":"ada@example.com","name":"Ada"}'
  MailDev inbox   ${mailDevUrl}
  Push sink       ${pushSinkUrl}/notifications
  Delivery board  ${docs ? `${docs.url}board` : `${boardUrl}/events (npm run docs:dev, then Connect on its /board page)`}
  Logs            ${runtime.logDir}
Count deliveries per user (in another terminal): npm run workshop -- measure
Chaos (in another terminal): npm run workshop -- kill mail-1 | restart mail-1 | burst 200
Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('\nStopping...');
  await rm(ENDPOINTS_FILE, { force: true });
  await docs?.process.stop();
  await board.stop();
  await runtime.stop();
  return 0;
}
