/**
 * `npm run verify`: the maintainers' check of everything. Runs each check in
 * turn (type checks, lint, unit tests, integration tests, then the step
 * proofs: each starter fails its graders, each solution passes them), prints
 * a table, and ends with one line "verify: N passed, N failed".
 */
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { proveAll, VERIFY_JOBS, type Proof } from './steps/prove';

const ROOT = join(__dirname, '..', '..');

interface Check {
  name: string;
  command: string[];
}

const CHECKS: Check[] = [
  { name: 'type check', command: ['npm', 'run', '--silent', 'typecheck'] },
  { name: 'lint and format', command: ['npm', 'run', '--silent', 'lint'] },
  { name: 'unit tests', command: ['npx', 'jest', '--selectProjects', 'unit'] },
  { name: 'integration tests', command: ['npx', 'jest', '--selectProjects', 'integration', '--runInBand'] },
];

const yesNo = (value: boolean | undefined) => (value ? 'yes' : 'NO');

function printProofs(proofs: Proof[]): void {
  console.log('\nstep  starter fails  solution passes  variants  start s  end s');
  for (const p of proofs) {
    const variants = p.variants.length ? `${p.variants.filter((v) => v.ok).length}/${p.variants.length}` : '-';
    console.log(
      `${String(p.step.id).padStart(4)}  ${yesNo(p.starterFails).padEnd(13)}  ${yesNo(p.solutionPasses).padEnd(15)}  ${variants.padEnd(8)}  ${p.seconds.start.toFixed(1).padStart(7)}  ${p.seconds.end.toFixed(1).padStart(5)}`,
    );
  }
  for (const p of proofs) for (const problem of p.problems) console.log(`\nstep ${p.step.id}: ${problem}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  // `npm run verify -- steps 3` proves step 3 only; `npm run verify -- lint` runs one check.
  const stepIds = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const names = args.filter((a) => !/^\d+$/.test(a));
  const checks = names.length ? CHECKS.filter((c) => names.some((o) => c.name.includes(o))) : CHECKS;
  const results: { name: string; ok: boolean; seconds: number }[] = [];
  for (const check of checks) {
    console.log(`\n=== ${check.name}: ${check.command.join(' ')}`);
    const started = Date.now();
    const run = spawnSync(check.command[0], check.command.slice(1), { cwd: ROOT, stdio: 'inherit' });
    results.push({ name: check.name, ok: run.status === 0, seconds: (Date.now() - started) / 1000 });
  }
  if (names.length === 0 || names.includes('steps')) {
    console.log(
      `\n=== step proofs: each starter fails its graders, each solution passes them (${VERIFY_JOBS} trees at a time)`,
    );
    const started = Date.now();
    // Plans shared by the trees of this run (most hold the same infra/); a fresh cache each run.
    process.env.WORKSHOP_PLAN_CACHE = join(ROOT, '.workshop', 'cache', `plans-${process.pid}`);
    const proofs = await proveAll(stepIds, (line) => console.log(`  ${line}`));
    printProofs(proofs);
    for (const p of proofs) {
      results.push({
        name: `step ${p.step.id} proof`,
        ok: p.problems.length === 0 && !!p.starterFails && !!p.solutionPasses,
        seconds: p.seconds.start + p.seconds.end,
      });
    }
    await rm(process.env.WORKSHOP_PLAN_CACHE, { recursive: true, force: true });
    console.log(`(step proofs took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  console.log('\ncheck                          result   seconds');
  for (const r of results) {
    console.log(`${r.name.padEnd(30)} ${(r.ok ? 'pass' : 'FAIL').padEnd(8)} ${r.seconds.toFixed(1).padStart(7)}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`verify: ${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error);
  console.log('verify: 0 passed, 1 failed');
  process.exitCode = 1;
});
