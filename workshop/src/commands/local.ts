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
import { topology, type Topology, type Transport } from '../runtime/topology';
import { REPO } from '../steps/manifest';
import { ENDPOINTS_FILE } from './measure';

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
    const plan = await readPlan(join(REPO, 'infra'));
    const t = planToTopology(plan);
    return { topology: t, what: `what your Pulumi program declares (stack ${plan.stack}, ${t.transport})` };
  }
  const { transport, mail, push } = options;
  if (!isBrokerKind(transport)) throw new Error(`the transport is ${BROKER_KINDS.join(' or ')}, not "${transport}"`);
  if (!(mail >= 1 && push >= 1)) throw new Error('--mail and --push take a number of replicas, 1 or more');
  return {
    topology: topology(transport, mail, push),
    what: `${transport} with ${mail} mail and ${push} push replica(s)`,
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
  await docs.waitForLine(/Local:|ready in/i, 60_000);
  return { url: `http://127.0.0.1:${port}/`, process: docs };
}

/**
 * `workshop local [redis|nats] [--mail N] [--push N] [--plan] [--no-docs]`:
 * runs the system as processes on this machine, and the guide, and prints
 * where to look, until Ctrl-C.
 */
export async function localCommand(options: LocalOptions): Promise<number> {
  const { topology: chosen, what } = await chooseTopology(options);
  console.log(`Starting ${what}...`);
  const ports = await localPorts();
  const onLine = options.quiet ? undefined : linePrinter();
  const runtime = await LocalRuntime.start({ root: REPO, topology: chosen, ports, onLine }).catch((error: Error) => {
    if (error instanceof MissingToolError) throw error;
    throw new Error(
      `${error.message}\nYour services' code decides which broker they need: from step 3 on, try \`npm run local -- nats\`; ` +
        '`npm run local -- --plan` runs what your Pulumi program declares.',
    );
  });
  const board = await startLocalBoard(runtime, ports.board);
  const docs = options.docs
    ? await startDocs(runtime.logDir, ports.guide, board.url).catch((error: Error) => {
        console.log(`(the guide did not start: ${error.message.split('\n')[0]}; try npm run docs:dev)`);
        return undefined;
      })
    : undefined;
  const { gatewayUrl, mailDevUrl, pushSinkUrl } = runtime.endpoints;
  // For `workshop measure`, in another terminal.
  await mkdir(dirname(ENDPOINTS_FILE), { recursive: true });
  const boardUrl = board.url;
  await writeFile(ENDPOINTS_FILE, JSON.stringify({ gatewayUrl, mailDevUrl, pushSinkUrl, boardUrl }, null, 2));
  console.log(`
Ready.
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
