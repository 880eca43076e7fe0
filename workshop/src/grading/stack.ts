/**
 * `--target stack`: the live checks against what `workshop up` deployed in
 * Docker, its endpoints read from `pulumi stack output --json`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_STACK, findPulumi, pulumiEnv } from '../commands/pulumi';
import { installHint } from '../runtime/tools';
import { MailDevClient, PushSinkClient } from './sinks';
import { GradeError } from './expect';

export interface StackOutputs {
  gatewayUrl: string;
  mailDevUrl: string;
  pushSinkUrl: string;
  transport?: string;
  /** Replica id -> Docker container name. */
  containers?: Record<string, string>;
}

export function stackOutputs(repo: string, stack = process.env.WORKSHOP_STACK || DEFAULT_STACK): StackOutputs {
  const pulumi = findPulumi();
  if (!pulumi)
    throw new GradeError(
      `--target stack grades what \`workshop up\` deployed, with the Pulumi CLI: ${installHint('pulumi')}`,
    );
  const run = spawnSync(pulumi, ['stack', 'output', '--json', '--stack', stack], {
    cwd: join(repo, 'infra'),
    env: pulumiEnv(),
    encoding: 'utf8',
  });
  const outputs = run.status === 0 ? (JSON.parse(run.stdout || '{}') as Partial<StackOutputs>) : {};
  if (!outputs.gatewayUrl || !outputs.mailDevUrl || !outputs.pushSinkUrl) {
    const why =
      run.status === 0
        ? 'it has no gatewayUrl, mailDevUrl or pushSinkUrl output'
        : (run.stderr || '').trim().split('\n').pop();
    throw new GradeError(`The stack "${stack}" cannot be graded (${why}). Deploy it first: npm run workshop -- up`);
  }
  return outputs as StackOutputs;
}

/** The deployed stack's sinks, emptied, so the counts start from zero. */
export async function stackSinks(outputs: StackOutputs): Promise<{ mail: MailDevClient; push: PushSinkClient }> {
  const mail = new MailDevClient(outputs.mailDevUrl);
  const push = new PushSinkClient(outputs.pushSinkUrl);
  await Promise.all([mail.clear(), push.clear()]);
  return { mail, push };
}
