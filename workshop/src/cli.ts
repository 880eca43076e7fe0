/**
 * The `workshop` command (npm scripts at the root call it):
 *   npm test [-- N]            grade the current step (or step N)
 *   npm run workshop -- <command>
 */
import { localChaos, stackChaos } from './board/chaos-commands';
import { stackBoardCommand } from './board/stack-board';
import { diffCommand } from './commands/diff';
import { hintCommand } from './commands/hint';
import { localCommand } from './commands/local';
import { measureCommand } from './commands/measure';
import { solveCommand, startCommand } from './commands/start-solve';
import { statusCommand } from './commands/status';
import { testCommand } from './commands/test';
import { watchCommand } from './commands/watch';
import type { Target } from './grading/context';
import { doctor } from './commands/doctor';
import { down, pulumiPassthrough, up } from './commands/pulumi';
import { MissingToolError } from './runtime/tools';
import type { Transport } from './runtime/topology';

const USAGE = `usage: npm run workshop -- <command>

  status          your progress, step by step
  start N         lay down the start of step N (your changed files are backed up first)
  hint N          the next hint for step N
  test [N]        grade the current step, or step N (same as: npm test -- N)
                  --target stack  grade what \`workshop up\` deployed instead of local processes
  solve N         lay down the solution of step N (your changed files are backed up first)
  diff N          your files of step N against the solution
  watch [N]       grade again on every save (--poll where file events do not work)
  local           run the system as local processes, and the guide: [redis|nats] [--mail N] [--push N]
                  --plan: run what your Pulumi program declares instead; --no-docs: without the guide
  measure [N]     create N users on the running local system, count deliveries with YOUR counter
  kill ID         crash a replica of the running local system (e.g. mail-1); restart ID starts it again
  burst N         create N users, 80 a second, on the running local system (kill a replica meanwhile)
                  --target stack: on what \`workshop up\` deployed (docker kill / docker restart)
  board --target stack  serve the delivery board's feed from the deployed stack (local serves its own)
  doctor          check Node, Docker, the Pulumi CLI and the ports
  up / down       deploy / destroy the Pulumi stack in Docker (needs Docker and the Pulumi CLI)
  pulumi ...      any pulumi command on the workshop's stack, e.g. pulumi config set mailReplicas 2`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Flags that take no value: the word after them is a positional argument. */
const SWITCHES = new Set(['--poll', '--plan', '--no-docs', '--quiet']);

function positional(args: string[]): string | undefined {
  return args.find(
    (a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--') && !SWITCHES.has(args[i - 1])),
  );
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const target = (option(args, '--target') ?? process.env.WORKSHOP_TARGET ?? 'local') as Target;
  switch (command) {
    case 'status':
      return statusCommand();
    case 'start':
      return startCommand(positional(args));
    case 'hint':
      return hintCommand(positional(args));
    case 'test':
    case 'grade':
      return testCommand(positional(args), target);
    case 'solve':
      return solveCommand(positional(args));
    case 'diff':
      return diffCommand(positional(args));
    case 'watch':
      return watchCommand(positional(args), args.includes('--poll'));
    case 'local':
      return localCommand({
        transport: (positional(args) ?? 'redis') as Transport,
        mail: Number(option(args, '--mail') ?? 1),
        push: Number(option(args, '--push') ?? 1),
        plan: args.includes('--plan'),
        docs: !args.includes('--no-docs'),
        quiet: args.includes('--quiet'),
      });
    case 'doctor':
      return doctor();
    case 'up':
      return up();
    case 'down':
      return down();
    case 'pulumi':
      return pulumiPassthrough(args);
    case 'kill':
    case 'restart':
    case 'burst':
      return (target === 'stack' ? stackChaos : localChaos)(command, positional(args));
    case 'board':
      if (target !== 'stack') {
        console.error(
          '`npm run local` serves the board of the local system; `board --target stack` serves the deployed one.',
        );
        return 2;
      }
      return stackBoardCommand();
    case 'measure':
      return measureCommand(positional(args));
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return 0;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A missing tool or a bad argument is one line, not a stack trace.
    const message = error instanceof Error ? error.message : String(error);
    console.error(error instanceof MissingToolError ? message : `workshop: ${message}`);
    process.exit(1);
  },
);
