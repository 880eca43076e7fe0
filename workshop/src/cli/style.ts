/**
 * Colour for the CLI's output, with node:util's styleText: green and red
 * marks, dim details. On for a terminal; off when the output goes to a file
 * or a pipe, or NO_COLOR is set (https://no-color.org); on whatever the
 * output with FORCE_COLOR (how the CLI tells its grader child, whose output
 * is a pipe, that the learner's terminal shows colour).
 *
 * The graders' jest reporter (grading/reporter.cjs, plain JavaScript) applies
 * the same rule; a test keeps the two in step.
 */
import { styleText } from 'node:util';

type Stream = { isTTY?: boolean };

export function colourOn(stream: Stream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

type Format = Parameters<typeof styleText>[0];

function painter(format: Format) {
  return (text: string, stream: Stream = process.stdout): string =>
    colourOn(stream) ? styleText(format, text, { validateStream: false }) : text;
}

export const green = painter('green');
export const red = painter('red');
export const yellow = painter('yellow');
export const dim = painter('dim');
export const bold = painter('bold');

/** The grader child's environment: FORCE_COLOR when this process shows colour, so its piped output keeps it. */
export function childColourEnv(
  env: NodeJS.ProcessEnv = process.env,
  stream: Stream = process.stdout,
): NodeJS.ProcessEnv {
  if (!colourOn(stream, env)) return env;
  // FORCE_COLOR wins over NO_COLOR; dropping NO_COLOR spares Node's warning about seeing both.
  const { NO_COLOR: _ignored, ...rest } = env;
  return { ...rest, FORCE_COLOR: env.FORCE_COLOR ?? '1' };
}
