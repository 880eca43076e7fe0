/**
 * `workshop config [get KEY | set KEY VALUE | unset KEY]`: the dev stack's
 * settings, for `npm run local -- --plan` and `workshop up`, without the
 * Pulumi CLI. The graders do not read them: each step's checks set their own.
 */
import { join, relative } from 'node:path';
import { REPO } from '../steps/manifest';
import { UsageError, type CommandSpec } from './args';
import { ConfigError, getSetting, readSettings, stackFile, writeSetting, type Setting } from './stack-config';
import { dim } from './style';

export const CONFIG_STACK = 'dev';

function line(s: Setting): string {
  const where = s.from === 'stack' ? 'set in the stack' : 'default';
  return `${s.name.padEnd(18)} ${(s.value ?? '(none)').padEnd(24)} ${dim(where)}`;
}

export function configCommand(args: string[], spec: CommandSpec, infraDir = join(REPO, 'infra')): number {
  const [action, key, value] = args;
  const file = relative(process.cwd(), stackFile(infraDir, CONFIG_STACK)) || stackFile(infraDir, CONFIG_STACK);
  try {
    if (action === undefined || action === 'list') {
      if (key !== undefined) throw new UsageError('list takes no key', spec);
      console.log(`The ${CONFIG_STACK} stack's settings (${file}):`);
      for (const s of readSettings(infraDir, CONFIG_STACK)) console.log(`  ${line(s)}`);
      console.log(dim(`\nChange one: npm run workshop -- config set KEY VALUE (e.g. config set transport nats)`));
      return 0;
    }
    if (action === 'get') {
      if (key === undefined || value !== undefined) throw new UsageError('get takes one KEY', spec);
      const s = getSetting(infraDir, CONFIG_STACK, key);
      console.log(s.value ?? '');
      return 0;
    }
    if (action === 'set') {
      if (key === undefined || value === undefined) throw new UsageError('set takes a KEY and a VALUE', spec);
      const before = getSetting(infraDir, CONFIG_STACK, key);
      const after = writeSetting(infraDir, CONFIG_STACK, key, value);
      console.log(`${after.name}: ${before.value ?? '(none)'} -> ${after.value} (in ${file})`);
      console.log(dim('`npm run local -- --plan` and `npm run workshop -- up` use it; the graders set their own.'));
      return 0;
    }
    if (action === 'unset') {
      if (key === undefined || value !== undefined) throw new UsageError('unset takes one KEY', spec);
      const after = writeSetting(infraDir, CONFIG_STACK, key, undefined);
      console.log(`${after.name}: back to its default, ${after.value ?? '(none)'} (in ${file})`);
      return 0;
    }
    throw new UsageError(`the action is get, set, unset or list, not "${action}"`, spec);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message, spec);
    throw error;
  }
}
