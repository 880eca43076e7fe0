/**
 * Plans kept on disk by content, for verify: many of the trees it grades
 * hold the same infra/ (every tree of steps 4 to 6, the variants that only
 * touch services/), and reading a plan is a Node process that loads Pulumi.
 * On only when WORKSHOP_PLAN_CACHE names a folder (verify sets it): the key
 * is every file of infra/, the stack, the config, the plan reader's own
 * code and the lockfile, so a cached plan is the plan that reading the
 * program would give. A plan that fails to read is never cached.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readPlan, type ReadPlanOptions } from '../plan';
import type { Plan } from '../plan';
import { REPO } from '../steps/manifest';
import { hashFiles } from '../steps/tree';

async function cacheKey(infraDir: string, options: ReadPlanOptions): Promise<string> {
  const hash = createHash('sha256');
  await hashFiles(hash, infraDir);
  await hashFiles(hash, join(REPO, 'workshop', 'src', 'plan'));
  hash.update(await readFile(join(REPO, 'package-lock.json')).catch(() => ''));
  hash.update(JSON.stringify({ stack: options.stack, config: options.config }));
  return hash.digest('hex');
}

/** readPlan, through the cache when WORKSHOP_PLAN_CACHE is set. */
export async function readPlanCached(infraDir: string, options: ReadPlanOptions): Promise<Plan> {
  const cacheDir = process.env.WORKSHOP_PLAN_CACHE;
  if (!cacheDir) return readPlan(infraDir, options);
  const file = join(cacheDir, `${await cacheKey(infraDir, options)}.json`);
  // The plan names its tree's paths: stored with a placeholder, given back with this tree's.
  const root = dirname(infraDir);
  const cached = await readFile(file, 'utf8').catch(() => undefined);
  if (cached) return JSON.parse(cached.split(PLACEHOLDER).join(root)) as Plan;
  const plan = await readPlan(infraDir, options);
  await mkdir(cacheDir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(plan).split(root).join(PLACEHOLDER));
  await rename(partial, file);
  return plan;
}

const PLACEHOLDER = '<tree>';
