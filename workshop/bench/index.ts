/**
 * `npm run bench [-- <configuration>...]`   delivery figures per transport, beside the ceilings
 * `npm run bench -- chaos [...]`            the chaos run (also `npm run chaos`)
 * `npm run bench -- graders [--runs N] [steps...]`  how long the graders take
 */
import { chaosRun } from './chaos-run';
import { deliveryBench } from './delivery';
import { graderBench } from './graders';

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === 'graders') return graderBench(rest);
  if (mode === 'chaos') return chaosRun(rest);
  return deliveryBench(process.argv.slice(2));
}

main().then(
  () => process.exit(0), // sockets of the sinks' clients may linger: the figures are out
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
