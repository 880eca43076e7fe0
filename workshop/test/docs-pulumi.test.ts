/**
 * Every `pulumi ...` command the README and the guide show works as written:
 * - `npm run workshop -- pulumi <args>` (the wrapper: backend, passphrase
 *   and stack are its job), or
 * - a bare `pulumi <args>` only in a shell block that first does
 *   `cd infra` and `export PULUMI_CONFIG_PASSPHRASE=workshop` (infra/Pulumi.yaml
 *   names the backend; the passphrase opens Pulumi.dev.yaml's encryptionsalt).
 * A config key it sets must be one infra/Pulumi.yaml declares, or a secret
 * the program reads (set with --secret), and a
 * `pulumi plugin install resource <provider> <v>` must name a provider the
 * program uses at the version the lockfile installs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SECRET_KEYS } from '../src/cli/stack-config';

const REPO = join(__dirname, '..', '..');

function pages(): string[] {
  const out = [join(REPO, 'README.md')];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.md')) out.push(join(dir, e.name));
    }
  };
  walk(join(REPO, 'workshop-docs'));
  return out;
}

export interface PulumiCommand {
  page: string;
  line: number;
  text: string;
  /** In a shell block that did `cd infra` and exported the passphrase before it. */
  prepared: boolean;
}

/** The pulumi commands of a markdown page: inline code spans and lines of fenced blocks. */
export function pulumiCommands(page: string, text: string): PulumiCommand[] {
  const found: PulumiCommand[] = [];
  let fence: string[] | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('```')) {
      fence = fence ? undefined : [];
      return;
    }
    if (fence) {
      const command = line.replace(/^\$\s+/, '').replace(/\s+#.*$/, '');
      if (/^(npm run workshop -- )?pulumi\s/.test(command)) {
        const before = fence.join('\n');
        const prepared = /^cd infra\b/m.test(before) && /^export PULUMI_CONFIG_PASSPHRASE=workshop$/m.test(before);
        found.push({ page, line: i + 1, text: command, prepared });
      }
      fence.push(command);
      return;
    }
    for (const m of raw.matchAll(/`([^`]+)`/g)) {
      if (/^(npm run workshop -- )?pulumi\s/.test(m[1].trim())) {
        found.push({ page, line: i + 1, text: m[1].trim(), prepared: false });
      }
    }
  });
  return found;
}

const declared = Object.keys(
  // Pulumi.yaml's config keys: the lines indented two spaces under `config:`.
  Object.fromEntries(
    (/^config:\n((?: {2}.*\n|\n)*)/m.exec(readFileSync(join(REPO, 'infra', 'Pulumi.yaml'), 'utf8'))?.[1] ?? '')
      .split('\n')
      .map((l) => /^ {2}([A-Za-z]\w*):/.exec(l)?.[1])
      .filter((k): k is string => !!k)
      .map((k) => [k, true]),
  ),
);
/** The secrets the program reads (the CLI's list, held to infra/config.ts by stack-config.test.ts): set with --secret. */
const secrets = Object.keys(SECRET_KEYS);
/** The provider plugins the program's packages pin: @pulumi/docker -> docker 5.2.0 (the SDK itself is no plugin). */
const providers: Record<string, string> = Object.fromEntries(
  Object.keys(
    (JSON.parse(readFileSync(join(REPO, 'infra', 'package.json'), 'utf8')) as { dependencies: Record<string, string> })
      .dependencies,
  )
    .filter((name) => name.startsWith('@pulumi/') && name !== '@pulumi/pulumi')
    .map((name) => [
      name.slice('@pulumi/'.length),
      (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
        .version,
    ]),
);

/** Why a command does not work as written, or undefined. */
export function problemOf(c: PulumiCommand): string | undefined {
  const wrapped = c.text.startsWith('npm run workshop -- pulumi ');
  if (!wrapped && !c.prepared) {
    return 'a bare `pulumi` command: write `npm run workshop -- pulumi ...`, or show it in a block after `cd infra` and `export PULUMI_CONFIG_PASSPHRASE=workshop`';
  }
  const args = c.text.replace(/^(npm run workshop -- )?pulumi\s+/, '').split(/\s+/);
  if (args[0] === 'login') return '`pulumi login` is not needed: infra/Pulumi.yaml names the backend';
  if (args[0] === 'config' && args[1] === 'set') {
    const key = args.slice(2).find((a) => !a.startsWith('-'));
    if (key && secrets.includes(key)) {
      if (!args.includes('--secret')) return `config key "${key}" is a secret the program reads: set it with --secret`;
    } else if (!key || !declared.includes(key)) {
      return `config key "${key}" is not one infra/Pulumi.yaml declares`;
    }
  }
  if (args[0] === 'plugin' && args[1] === 'install') {
    const version = providers[args[3]];
    if (args[2] !== 'resource' || version === undefined || args[4] !== version) {
      const all = Object.entries(providers).map(([name, v]) => `\`pulumi plugin install resource ${name} ${v}\``);
      return `the provider plugins the lockfile installs are ${all.join(', ')}`;
    }
  }
  return undefined;
}

test('the check itself: what it accepts and what it refuses', () => {
  const page = [
    '`pulumi config set mailReplicas 2` in infra/',
    '`npm run workshop -- pulumi config set mailReplicas 2`',
    '`npm run workshop -- pulumi config set nope 2`',
    '```sh',
    'cd infra',
    'export PULUMI_CONFIG_PASSPHRASE=workshop',
    'pulumi up --refresh',
    'pulumi plugin install resource docker 1.0.0',
    `pulumi plugin install resource docker ${providers.docker}`,
    `pulumi plugin install resource random ${providers.random}`,
    'pulumi plugin install resource aws 6.0.0',
    '```',
    '`npm run workshop -- pulumi config set --secret natsToken x`',
    '`npm run workshop -- pulumi config set natsToken x`',
    '```sh',
    'pulumi up',
    '```',
  ].join('\n');
  const verdicts = pulumiCommands('x.md', page).map((c) => [c.text, problemOf(c) === undefined]);
  expect(verdicts).toEqual([
    ['pulumi config set mailReplicas 2', false],
    ['npm run workshop -- pulumi config set mailReplicas 2', true],
    ['npm run workshop -- pulumi config set nope 2', false],
    ['pulumi up --refresh', true],
    ['pulumi plugin install resource docker 1.0.0', false],
    [`pulumi plugin install resource docker ${providers.docker}`, true],
    [`pulumi plugin install resource random ${providers.random}`, true],
    ['pulumi plugin install resource aws 6.0.0', false],
    ['npm run workshop -- pulumi config set --secret natsToken x', true],
    ['npm run workshop -- pulumi config set natsToken x', false],
    ['pulumi up', false],
  ]);
});

test('every pulumi command in the README and the guide works as written', () => {
  const problems = pages().flatMap((page) =>
    pulumiCommands(page, readFileSync(page, 'utf8')).flatMap((c) => {
      const problem = problemOf(c);
      return problem ? [`${relative(REPO, c.page)}:${c.line}: \`${c.text}\`: ${problem}`] : [];
    }),
  );
  expect(problems).toEqual([]);
});
