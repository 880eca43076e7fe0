/**
 * The replicas' output interleaved on one terminal, like `docker compose up`:
 * each line prefixed with its replica's id, padded, in a colour of its own,
 *
 *   mail-2   | welcome email to ada@example.com (event 1c96a625)
 *
 * The services prefix their own lines with "[mail-2] " (for `docker logs`,
 * which shows one container): that prefix is dropped here, the column says
 * it; so is Nest's stamp of process id and time.
 */

/** ANSI foreground colours, distinct on dark and light terminals. */
const COLOURS = [36, 33, 32, 35, 34, 91, 96, 93, 92, 95];

export interface PrefixOptions {
  /** Colour the prefix (a terminal), or not (a file, a pipe, NO_COLOR). */
  colour: boolean;
  /** The width the ids are padded to (the longest id). */
  width: number;
}

/** Nest's own stamp, "[Nest] 4211  - 11/26/2026, 12:53:22 PM     ": the column and the terminal say who and when. */
const NEST_STAMP = /^\[Nest\] \d+ +- .*? {2,}(?=(LOG|WARN|ERROR|DEBUG|VERBOSE|FATAL) )/;

export function prefixLine(replica: string, index: number, line: string, { colour, width }: PrefixOptions): string {
  const own = `[${replica}] `;
  const text = (line.startsWith(own) ? line.slice(own.length) : line).replace(NEST_STAMP, '');
  const label = `${replica.padEnd(width)} |`;
  const shown = colour ? `\u001b[${COLOURS[index % COLOURS.length]}m${label}\u001b[0m` : label;
  return `${shown} ${text}`;
}

/** Whether to colour: a terminal, and neither NO_COLOR nor FORCE_COLOR=0 set. */
export function wantsColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR || process.env.FORCE_COLOR === '0') return false;
  return Boolean(stream.isTTY);
}

/**
 * A printer for the replicas' lines: `print(id, line)` writes the line with
 * its prefix; each id keeps the colour it got first. The column is as wide
 * as "gateway-1", or the longest id seen so far.
 */
export function linePrinter(
  write: (text: string) => void = (text) => process.stdout.write(text),
  colour = wantsColour(),
): (replica: string, line: string) => void {
  const order: string[] = [];
  let width = 'gateway-1'.length;
  return (replica, line) => {
    width = Math.max(width, replica.length);
    if (!order.includes(replica)) order.push(replica);
    write(`${prefixLine(replica, order.indexOf(replica), line, { colour, width })}\n`);
  };
}
