/**
 * Each command's arguments, parsed with node:util's parseArgs: `--mail 2` and
 * `--mail=2` alike, `--help` / `-h` on every command, and an unknown option
 * or a missing value is a usage error (exit code 2) that shows the command's
 * usage as the learner types it.
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** For string options: the word shown in the usage line, e.g. N. */
  value?: string;
  description: string;
}

export interface CommandSpec {
  /** The command's name after `workshop` (cli.ts routes on it). */
  name: string;
  /** How the learner types it, e.g. `npm run workshop -- start N`. */
  usage: string;
  /** One line for the overview. */
  summary: string;
  options?: Record<string, OptionSpec>;
  /** The most positional arguments it takes. */
  maxPositionals: number;
  /** The fewest it needs, and what the message says when fewer are given. */
  minPositionals?: number;
  missing?: string;
  /** Everything after the command goes through untouched (`workshop pulumi ...`). */
  passthrough?: boolean;
}

export type Values = Record<string, string | boolean | undefined>;

export type Parsed = { help: true } | { help: false; values: Values; positionals: string[] };

/** Bad arguments: the CLI prints the message and the command's usage, and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly spec?: CommandSpec,
  ) {
    super(message);
  }
}

const HELP = new Set(['--help', '-h']);

export function parseCommand(spec: CommandSpec, argv: string[]): Parsed {
  if (spec.passthrough) {
    // `workshop pulumi --help` is ours; `workshop pulumi config --help` is Pulumi's.
    return HELP.has(argv[0] ?? '') ? { help: true } : { help: false, values: {}, positionals: argv };
  }
  const beforeEnd = argv.indexOf('--') >= 0 ? argv.slice(0, argv.indexOf('--')) : argv;
  if (beforeEnd.some((a) => HELP.has(a))) return { help: true };
  const options = Object.fromEntries(Object.entries(spec.options ?? {}).map(([name, o]) => [name, { type: o.type }]));
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw new UsageError(plain(error as Error), spec);
  }
  const { positionals } = parsed;
  if (positionals.length > spec.maxPositionals) {
    const extra = positionals.slice(spec.maxPositionals).map((p) => `"${p}"`);
    throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.join(' ')}`, spec);
  }
  if (positionals.length < (spec.minPositionals ?? 0))
    throw new UsageError(spec.missing ?? 'an argument is missing', spec);
  return { help: false, values: parsed.values, positionals };
}

/** parseArgs's messages, in the workshop's words (they name the option, and say what is wrong with it). */
function plain(error: Error): string {
  const code = (error as Error & { code?: string }).code;
  const option = /'(-[^' ]+)/.exec(error.message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option ?? error.message}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /argument missing|ambiguous/.test(error.message) ? `${option} needs a value` : `${option} takes no value`;
  }
  return error.message;
}

/** A step number, or a usage error. */
export function stepNumber(spec: CommandSpec, arg: string | undefined): number | undefined {
  if (arg === undefined) return undefined;
  if (!/^\d+$/.test(arg)) throw new UsageError(`the step is a number, not "${arg}"`, spec);
  return Number(arg);
}

/** A whole number of at least `min`, or a usage error naming the option. */
export function count(spec: CommandSpec, what: string, arg: string | undefined, min = 1): number | undefined {
  if (arg === undefined) return undefined;
  if (!/^\d+$/.test(arg) || Number(arg) < min)
    throw new UsageError(`${what} takes a whole number of at least ${min}, not "${arg}"`, spec);
  return Number(arg);
}

/** The usage of one command: its line, its options. */
export function usageOf(spec: CommandSpec): string {
  const lines = [`usage: ${spec.usage}`, '', `  ${spec.summary}`];
  const options = Object.entries(spec.options ?? {});
  lines.push('');
  for (const [name, o] of options) {
    const flag = `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    lines.push(`  ${flag.padEnd(22)} ${o.description}`);
  }
  lines.push(`  ${'--help, -h'.padEnd(22)} this help`);
  return lines.join('\n');
}
