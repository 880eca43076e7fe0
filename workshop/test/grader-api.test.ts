/**
 * Every check imports the workshop through the grader API
 * (workshop/src/grading/index.ts) only, and none talks to a broker itself:
 * what a check may ask the system is in the API, so a change of the harness
 * is a change of one module, not of every grader.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksDir, loadSteps } from '../src/steps/manifest';
import { listFiles } from '../src/steps/tree';

const API = '../../../workshop/src/grading';
const BROKER_CLIENTS = /^(ioredis|redis|nats|@nats-io\/.*)$/;

test.each(loadSteps().map((s) => [s.slug, s] as const))(
  '%s: its checks import the grader API only',
  async (_slug, step) => {
    const dir = checksDir(step);
    for (const file of (await listFiles(dir)).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(join(dir, file), 'utf8');
      const sources = [...text.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]);
      const wrong = sources.filter((s) => s !== API && !s.startsWith('node:'));
      expect({ file, wrong }).toEqual({ file, wrong: [] });
      expect(sources.filter((s) => BROKER_CLIENTS.test(s))).toEqual([]);
    }
  },
);
