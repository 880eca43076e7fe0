/**
 * `npm run bench -- graders [--runs N] [steps...]`: how long a learner waits for
 * `npm test`. Grades the end of each step N times (a fresh tree each time)
 * and prints the infra and live checks' wall times: min, median, max.
 * Figures, not assertions: the tests stay free of timing.
 */
import { runChecks } from '../src/grading/run-checks';
import { endOverlays, loadSteps, REPO } from '../src/steps/manifest';
import { makeTree } from '../src/steps/tree';

function stats(values: number[]): string {
  if (values.length === 0) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return `${sorted[0].toFixed(1)} / ${median.toFixed(1)} / ${sorted[sorted.length - 1].toFixed(1)}`;
}

export async function graderBench(args: string[]): Promise<void> {
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 1;
  const only = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--runs').map(Number);
  const steps = loadSteps().filter((s) => only.length === 0 || only.includes(s.id));

  console.log(`grader wall time per step, end of step, ${runs} run(s) each (seconds: min / median / max)`);
  console.log('step  infra checks          live checks           passed');
  for (const step of steps) {
    const times: Record<string, number[]> = { infra: [], live: [] };
    let passes = 0;
    for (let i = 0; i < runs; i++) {
      const tree = await makeTree(REPO, `bench-${step.slug}`, endOverlays(step));
      const result = await runChecks(step, { tree, echo: false, stopOnFailure: false });
      for (const r of result) times[r.kind].push(r.seconds);
      if (result.every((r) => r.passed)) passes++;
    }
    console.log(
      `${String(step.id).padStart(4)}  ${stats(times.infra).padEnd(20)}  ${stats(times.live).padEnd(20)}  ${passes}/${runs}`,
    );
  }
}
