/**
 * `npm run verify`: the maintainers' check of everything. Runs each check in
 * turn (type checks, lint, unit tests, integration tests, then the step
 * proofs: each starter fails its graders, each solution passes them), prints
 * a table, and ends with one line "verify: N passed, N failed".
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

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

function main(): void {
  const only = process.argv.slice(2);
  const checks = only.length ? CHECKS.filter((c) => only.some((o) => c.name.includes(o))) : CHECKS;
  const results: { name: string; ok: boolean; seconds: number }[] = [];
  for (const check of checks) {
    console.log(`\n=== ${check.name}: ${check.command.join(' ')}`);
    const started = Date.now();
    const run = spawnSync(check.command[0], check.command.slice(1), { cwd: ROOT, stdio: 'inherit' });
    results.push({ name: check.name, ok: run.status === 0, seconds: (Date.now() - started) / 1000 });
  }
  console.log('\ncheck                          result   seconds');
  for (const r of results) {
    console.log(`${r.name.padEnd(30)} ${(r.ok ? 'pass' : 'FAIL').padEnd(8)} ${r.seconds.toFixed(1).padStart(7)}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`verify: ${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main();
