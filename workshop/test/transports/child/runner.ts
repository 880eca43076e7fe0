/**
 * The scenario child (see ../driver.ts): loads one scenarios file, captures
 * every Nest log line, and answers { id, scenario, args } with the result.
 */
import { Logger, type LoggerService } from '@nestjs/common';

/** Every log line of the transports, for the scenarios to look into. */
export const logLines: string[] = [];

const capture =
  (level: string) =>
  (message: unknown, ...rest: unknown[]) => {
    const context = typeof rest[rest.length - 1] === 'string' ? `[${String(rest[rest.length - 1])}] ` : '';
    logLines.push(`${level} ${context}${String(message)}`);
  };
const logger: LoggerService = {
  log: capture('LOG'),
  warn: capture('WARN'),
  error: capture('ERROR'),
  debug: capture('DEBUG'),
  verbose: capture('VERBOSE'),
};
Logger.overrideLogger(logger);

type Scenario = (args: Record<string, unknown>) => Promise<unknown>;

async function main(): Promise<void> {
  const file = process.argv[2];
  const scenarios = (await import(`./${file}.js`)) as Record<string, Scenario>;
  process.on('message', (call: { id: number; scenario: string; args: Record<string, unknown> }) => {
    const scenario = scenarios[call.scenario];
    const reply = (message: object) => process.send?.({ id: call.id, ...message });
    if (!scenario) return reply({ error: `no scenario ${call.scenario} in ${file}` });
    logLines.length = 0;
    scenario(call.args).then(
      (result) => reply({ result: result ?? null }),
      (error: unknown) => reply({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.on('SIGTERM', () => process.exit(0));
  process.send?.('ready');
}

void main();
