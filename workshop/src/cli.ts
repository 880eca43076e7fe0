/**
 * The `workshop` command (npm scripts at the root call it):
 *   npm test [-- N]            grade the current step (or step N)
 *   npm run local [-- ...]     run the system as local processes
 *   npm run workshop -- <command>
 * Each command parses its own arguments (cli/args.ts) and has its own --help.
 * Commands are loaded when run: the CLI starts without loading them all.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { count, parseCommand, stepNumber, usageOf, UsageError, type CommandSpec, type Values } from './cli/args';
import type { Target } from './grading/context';
import { MissingToolError } from './runtime/tools';
import type { Transport } from './runtime/topology';
import { REPO } from './steps/manifest';

interface Command extends CommandSpec {
  run(values: Values, positionals: string[], spec: CommandSpec): Promise<number> | number;
}

const W = 'npm run workshop --';

function target(spec: CommandSpec, value: string | boolean | undefined): Target | undefined {
  const chosen = value ?? process.env.WORKSHOP_TARGET;
  if (chosen === undefined || chosen === 'local' || chosen === 'stack') return chosen;
  const from = value === undefined ? 'WORKSHOP_TARGET (in your environment)' : '--target';
  throw new UsageError(`${from} is local or stack, not "${String(chosen)}"`, spec);
}

const TARGET_OPTION = {
  type: 'string',
  value: 'local|stack',
  description: 'the system `npm run local` runs (default), or the stack `workshop up` deployed',
} as const;

/** kill / restart / burst: through the local system's board, or Docker on the deployed stack. */
async function chaos(action: 'kill' | 'restart' | 'burst', arg: string, on: Target | undefined): Promise<number> {
  const { localChaos, stackChaos } = await import('./board/chaos-commands.js');
  return (on === 'stack' ? stackChaos : localChaos)(action, arg);
}

export const COMMANDS: Command[] = [
  {
    name: 'status',
    usage: `${W} status`,
    summary: 'your progress, step by step',
    maxPositionals: 0,
    run: async () => (await import('./commands/status.js')).statusCommand(),
  },
  {
    name: 'start',
    usage: `${W} start N`,
    summary: 'lay down the start of step N (your changed files are backed up first)',
    minPositionals: 1,
    missing: 'which step? e.g. npm run workshop -- start 1',
    maxPositionals: 1,
    run: async (_v, [step], spec) => (await import('./commands/start-solve.js')).startCommand(stepNumber(spec, step)!),
  },
  {
    name: 'hint',
    usage: `${W} hint [N]`,
    summary: 'the next hint for step N (default: the step you are on)',
    maxPositionals: 1,
    run: async (_v, [step], spec) => (await import('./commands/hint.js')).hintCommand(stepNumber(spec, step)),
  },
  {
    name: 'test',
    usage: 'npm test -- [N] [--target local|stack]',
    summary: 'grade the step you are on, or step N',
    options: {
      target: {
        type: 'string',
        value: 'local|stack',
        description: 'local processes (default), or the stack `workshop up` deployed',
      },
    },
    maxPositionals: 1,
    run: async (v, [step], spec) =>
      (await import('./commands/test.js')).testCommand(stepNumber(spec, step), target(spec, v.target)),
  },
  {
    name: 'solve',
    usage: `${W} solve N`,
    summary: 'lay down the solution of step N (your changed files are backed up first)',
    minPositionals: 1,
    missing: 'which step? e.g. npm run workshop -- solve 1',
    maxPositionals: 1,
    run: async (_v, [step], spec) => (await import('./commands/start-solve.js')).solveCommand(stepNumber(spec, step)!),
  },
  {
    name: 'diff',
    usage: `${W} diff [N]`,
    summary: 'your files of step N against the solution',
    maxPositionals: 1,
    run: async (_v, [step], spec) => (await import('./commands/diff.js')).diffCommand(stepNumber(spec, step)),
  },
  {
    name: 'watch',
    usage: `${W} watch [N] [--poll]`,
    summary: 'grade again on every save',
    options: { poll: { type: 'boolean', description: 'poll for changes, where file events do not work' } },
    maxPositionals: 1,
    run: async (v, [step], spec) =>
      (await import('./commands/watch.js')).watchCommand(stepNumber(spec, step), v.poll === true),
  },
  {
    name: 'local',
    usage: 'npm run local -- [redis|nats] [--mail N] [--push N] [--plan] [--no-docs]',
    summary: 'run the system as local processes, and the guide, until Ctrl-C',
    options: {
      mail: { type: 'string', value: 'N', description: 'mail replicas (default 1)' },
      push: { type: 'string', value: 'N', description: 'push replicas (default 1)' },
      plan: {
        type: 'boolean',
        description: 'run what your Pulumi program declares for stack dev (see: npm run workshop -- config)',
      },
      'no-docs': { type: 'boolean', description: 'without the guide' },
      quiet: { type: 'boolean', description: "without the replicas' lines in this terminal" },
    },
    maxPositionals: 1,
    run: async (v, [transport], spec) => {
      if (transport !== undefined && transport !== 'redis' && transport !== 'nats')
        throw new UsageError(`the transport is redis or nats, not "${transport}"`, spec);
      if (v.plan && (transport || v.mail || v.push))
        throw new UsageError(
          '--plan runs what your Pulumi program declares: set the transport and replicas in the stack instead (npm run workshop -- config set mailReplicas 2)',
          spec,
        );
      return (await import('./commands/local.js')).localCommand({
        transport: (transport ?? 'redis') as Transport,
        mail: count(spec, '--mail', v.mail as string | undefined) ?? 1,
        push: count(spec, '--push', v.push as string | undefined) ?? 1,
        plan: v.plan === true,
        docs: v['no-docs'] !== true,
        quiet: v.quiet === true,
      });
    },
  },
  ...(['kill', 'restart'] as const).map((action): Command => ({
    name: action,
    usage: `${W} ${action} REPLICA [--target local|stack]`,
    summary:
      action === 'kill'
        ? 'crash a replica of the running system (e.g. mail-1): SIGKILL, or docker kill on the stack'
        : 'start a killed replica again (docker restart on the stack)',
    options: { target: TARGET_OPTION },
    minPositionals: 1,
    missing: `which replica? e.g. npm run workshop -- ${action} mail-1`,
    maxPositionals: 1,
    run: async (v, [replica], spec) => chaos(action, replica, target(spec, v.target)),
  })),
  {
    name: 'burst',
    usage: `${W} burst USERS [--target local|stack]`,
    summary: 'create USERS users, 80 a second, on the running system (kill a replica meanwhile)',
    options: { target: TARGET_OPTION },
    minPositionals: 1,
    missing: 'how many users? e.g. npm run workshop -- burst 200',
    maxPositionals: 1,
    run: async (v, [users], spec) => {
      count(spec, 'the number of users', users);
      return chaos('burst', users, target(spec, v.target));
    },
  },
  {
    name: 'board',
    usage: `${W} board --target stack`,
    summary: "serve the delivery board's feed from the deployed stack (npm run local serves its own)",
    options: { target: TARGET_OPTION },
    maxPositionals: 0,
    run: async (v, _p, spec) => {
      if (target(spec, v.target) !== 'stack')
        throw new UsageError(
          '`npm run local` serves the board of the local system; this command is for --target stack',
          spec,
        );
      return (await import('./board/stack-board.js')).stackBoardCommand();
    },
  },
  {
    name: 'measure',
    usage: `${W} measure [USERS]`,
    summary: "each user's emails and pushes on the system `npm run local` runs (USERS: create that many first)",
    maxPositionals: 1,
    run: async (_v, [users], spec) =>
      (await import('./commands/measure.js')).measureCommand(count(spec, 'the number of users', users)),
  },
  {
    name: 'config',
    usage: `${W} config [get KEY | set KEY VALUE | unset KEY]`,
    summary: "the stack's settings (infra/Pulumi.dev.yaml) without the Pulumi CLI, e.g. config set transport nats",
    maxPositionals: 3,
    run: async (_v, positionals, spec) => (await import('./cli/config.js')).configCommand(positionals, spec),
  },
  {
    name: 'doctor',
    usage: `${W} doctor`,
    summary:
      'check what the workshop needs (Node, the brokers), then what only `up` needs (Docker, the Pulumi CLI, ports)',
    maxPositionals: 0,
    run: async () => (await import('./commands/doctor.js')).doctor(),
  },
  {
    name: 'up',
    usage: `${W} up`,
    summary: 'deploy the Pulumi stack in Docker (needs Docker and the Pulumi CLI)',
    maxPositionals: 0,
    run: async () => (await import('./commands/pulumi.js')).up(),
  },
  {
    name: 'down',
    usage: `${W} down`,
    summary: 'destroy the Pulumi stack',
    maxPositionals: 0,
    run: async () => (await import('./commands/pulumi.js')).down(),
  },
  {
    name: 'pulumi',
    usage: `${W} pulumi ARGS...`,
    summary: "any pulumi command on the workshop's stack, e.g. pulumi stack output",
    maxPositionals: Infinity,
    passthrough: true,
    run: async (_v, args) => (await import('./commands/pulumi.js')).pulumiPassthrough(args),
  },
];

/** `grade` is the older name of `test`. */
const ALIASES: Record<string, string> = { grade: 'test' };

export function find(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === (ALIASES[name] ?? name));
}

export function overview(): string {
  // A usage too long for the column gets its summary on the next line.
  const lines = COMMANDS.map((c) =>
    c.usage.length < 44 ? `  ${c.usage.padEnd(44)} ${c.summary}` : `  ${c.usage}\n  ${''.padEnd(44)} ${c.summary}`,
  );
  return [
    `usage: ${W} <command>   (each command has --help)`,
    '',
    ...lines,
    '',
    `  ${`${W} --version`.padEnd(44)} the workshop's version`,
  ].join('\n');
}

/** How to ask a command for its help, as the learner types it. */
function helpCommand(spec: CommandSpec): string {
  return spec.usage.startsWith(`${W} `) ? `${W} ${spec.name} --help` : `${spec.usage.split(' -- ')[0]} -- --help`;
}

function version(): string {
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  return `workshop ${version} (node ${process.version})`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const about = name === 'help' && args[0] ? find(args[0]) : undefined;
    console.log(about ? usageOf(about) : overview());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  const command = find(name);
  if (!command) {
    console.error(`workshop: there is no command "${name}"\n\n${overview()}`);
    return 2;
  }
  try {
    const parsed = parseCommand(command, args);
    if (parsed.help) {
      console.log(usageOf(command));
      return 0;
    }
    return await command.run(parsed.values, parsed.positionals, command);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const spec = error.spec ?? command;
    console.error(`workshop ${spec.name}: ${error.message}\nusage: ${spec.usage}   (${helpCommand(spec)} says more)`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // A missing tool or a bad argument is one line, not a stack trace.
      const message = error instanceof Error ? error.message : String(error);
      console.error(error instanceof MissingToolError ? message : `workshop: ${message}`);
      process.exit(1);
    },
  );
}
