/**
 * The learner's chaos commands:
 *
 *   workshop kill mail-1      SIGKILL a replica (a crash)
 *   workshop restart mail-1   start it again
 *   workshop burst 200        create 200 users at a pace a kill can land in
 *
 * On the running local system they go through the delivery board's endpoint
 * (its address is in the file `npm run local` writes); with --target stack,
 * to the deployed stack: `docker kill` / `docker start` of the container its
 * outputs name, and the burst to its gateway.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { startBurst } from '../grading/chaos';
import { ENDPOINTS_FILE } from '../commands/measure';
import { BURST_RATE } from '../grading/bursts';
import { stackOutputs, type StackOutputs } from '../grading/stack';
import { requireTool } from '../runtime/tools';
import { REPO } from '../steps/manifest';
import { MAX_USERS_PER_REQUEST } from './server';

export type ChaosAction = 'kill' | 'restart' | 'burst';

const NOT_RUNNING =
  'No local system is running: start one in another terminal with `npm run local -- redis --mail 2 --push 2`.';

function usersCount(arg: string | undefined): number {
  const count = Number(arg ?? 50);
  if (!Number.isInteger(count) || count < 1 || count > MAX_USERS_PER_REQUEST) {
    throw new Error(`burst takes a number of users from 1 to ${MAX_USERS_PER_REQUEST}, not "${arg}"`);
  }
  return count;
}

function replicaArg(action: ChaosAction, arg: string | undefined): string {
  if (!arg) throw new Error(`${action} takes a replica, e.g. \`npm run workshop -- ${action} mail-1\``);
  return arg;
}

/** Against the running local system, through its board. */
export async function localChaos(
  action: ChaosAction,
  arg: string | undefined,
  endpointsFile = ENDPOINTS_FILE,
): Promise<number> {
  let boardUrl: string | undefined;
  try {
    boardUrl = (JSON.parse(await readFile(endpointsFile, 'utf8')) as { boardUrl?: string }).boardUrl;
  } catch {
    boardUrl = undefined;
  }
  if (!boardUrl) {
    console.error(NOT_RUNNING);
    return 1;
  }
  const path =
    action === 'burst'
      ? `/users?count=${usersCount(arg)}`
      : `/replicas/${encodeURIComponent(replicaArg(action, arg))}/${action}`;
  if (action === 'burst') console.log(`Creating ${usersCount(arg)} users, ${BURST_RATE} a second...`);
  let response: Response;
  try {
    response = await fetch(`${boardUrl}${path}`, { method: 'POST', signal: AbortSignal.timeout(60_000) });
  } catch {
    console.error(NOT_RUNNING);
    return 1;
  }
  const body = (await response.json()) as { error?: string; created?: number };
  if (!response.ok) {
    console.error(`workshop ${action}: ${body.error ?? response.status}`);
    return 1;
  }
  console.log(
    action === 'burst'
      ? `${body.created} users created: watch the board, or count with npm run workshop -- measure`
      : `${arg}: ${action === 'kill' ? 'killed (SIGKILL, like a crash)' : 'running again'}`,
  );
  return 0;
}

export interface StackDeps {
  outputs: () => StackOutputs;
  docker: (args: string[]) => { status: number | null; stderr: string };
}

const realStack: StackDeps = {
  outputs: () => stackOutputs(REPO),
  docker: (args) => {
    const run = spawnSync(requireTool('docker'), args, { encoding: 'utf8' });
    return { status: run.status, stderr: run.stderr ?? '' };
  },
};

/** Against the deployed stack: Docker for the replicas, its gateway for the burst. */
export async function stackChaos(
  action: ChaosAction,
  arg: string | undefined,
  deps: StackDeps = realStack,
): Promise<number> {
  let outputs: StackOutputs;
  try {
    outputs = deps.outputs();
  } catch (error) {
    console.error((error as Error).message.split('\n')[0]);
    return 1;
  }
  if (action === 'burst') {
    const users = await startBurst(outputs.gatewayUrl, usersCount(arg), { perSecond: BURST_RATE }).done;
    console.log(`${users.length} users created on the deployed stack (${outputs.gatewayUrl})`);
    return 0;
  }
  const replica = replicaArg(action, arg);
  const container = outputs.containers?.[replica];
  if (!container) {
    const known = Object.keys(outputs.containers ?? {});
    console.error(
      `workshop ${action}: the stack has no replica "${replica}" (its outputs name: ${known.join(', ') || 'no containers'})`,
    );
    return 1;
  }
  const run = deps.docker([action === 'kill' ? 'kill' : 'restart', container]);
  if (run.status !== 0) {
    console.error(`workshop ${action}: docker ${action} ${container} failed: ${run.stderr.trim().split('\n').pop()}`);
    return 1;
  }
  console.log(`${replica} (container ${container}): ${action === 'kill' ? 'killed' : 'running again'}`);
  return 0;
}
