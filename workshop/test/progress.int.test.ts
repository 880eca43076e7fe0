/**
 * Progress, for real: the CLI's grading of a step prints the live check's
 * phases as they happen and each check's result, and the local runtime says
 * what it has started between "Starting" and "Ready".
 */
import { rm } from 'node:fs/promises';
import { showProgress } from '../src/cli/progress';
import { runChecks } from '../src/grading/run-checks';
import { LocalRuntime } from '../src/runtime/local-runtime';
import { topology } from '../src/runtime/topology';
import { endOverlays, getStep, REPO } from '../src/steps/manifest';
import { makeTree } from '../src/steps/tree';

// eslint-disable-next-line no-control-regex -- colour codes start with the ESC control character
const plain = (line: string) => line.replace(/\u001b\[[0-9;]*m/g, '');

test('grading step 1 shows its phases as they happen, each check as it finishes, and the counts', async () => {
  const step = getStep(1);
  const tree = await makeTree(REPO, 'progress-step-1-end', endOverlays(step));
  const lines: { at: number; text: string }[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => {
    lines.push({ at: Date.now(), text: plain(String(line)) });
  });
  try {
    const runs = await runChecks(step, { tree });
    expect(runs.every((r) => r.passed)).toBe(true);
    const counts = runs.reduce((n, r) => n + r.tests.passed, 0);
    expect(counts).toBeGreaterThan(1);
    expect(runs.reduce((n, r) => n + r.tests.failed, 0)).toBe(0);
  } finally {
    log.mockRestore();
    await rm(tree, { recursive: true, force: true });
  }
  const index = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l.text));
  const consumers = /subscribed to user\.created|consume user\.created/;
  const phases = [
    /Pulumi program read/,
    /services built/,
    /Redis ready/,
    /gateway-1 started/,
    /replicas started/,
    consumers,
    /waiting for deliveries/,
  ].map(index);
  const lastResult = lines.findLastIndex((l) => /^ {2}✓ /.test(l.text));
  // Each phase shown, in the order it happens, before the live check's result.
  expect(phases.every((i) => i >= 0)).toBe(true);
  expect([...phases, lastResult].every((i, n, all) => n === 0 || i > all[n - 1])).toBe(true);
  // As it happens, not all at the end: the live check waits at least 400 ms for late duplicates
  // once its user is served, so its result comes well after the system said it was up.
  expect(lines[lastResult].at - lines[index(consumers)].at).toBeGreaterThanOrEqual(400);
});

test('the local runtime says what it has started, between "Starting" and "Ready"', async () => {
  const lines: string[] = [];
  showProgress((line) => lines.push(line));
  let runtime: LocalRuntime | undefined;
  try {
    runtime = await LocalRuntime.start({ root: REPO, topology: topology('redis', 2, 1) });
  } finally {
    showProgress(false);
    await runtime?.stop();
  }
  for (const expected of [/services built \d/, /Redis ready/, /MailDev ready/, /push sink ready/, /mail-2 started/])
    expect(lines.some((l) => expected.test(l))).toBe(true);
  expect(lines.at(-1)).toMatch(/subscribed to user\.created/);
});
