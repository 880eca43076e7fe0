/**
 * A build context as Pulumi's Docker provider sends it to the Engine API: a
 * tar of the context folder without what .dockerignore excludes, the
 * Dockerfile and .dockerignore always kept (as the docker CLI and the
 * provider do, github.com/moby/moby/builder/remotecontext and
 * pulumi-docker provider/image.go).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';

interface Rule {
  negate: boolean;
  re: RegExp;
  text: string;
}

function toRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** .dockerignore's rules (Go filepath.Match patterns plus `**`, `!` re-includes; the last match wins). */
export function dockerignore(text: string): (path: string) => boolean {
  const rules: Rule[] = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const text = (negate ? l.slice(1) : l).replace(/^\/+/, '').replace(/\/+$/, '');
      return { negate, re: toRegExp(text), text };
    });
  return (path: string) => {
    // A pattern excludes a path when it matches the path or one of its parent folders.
    const prefixes = path.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const rule of rules) if (prefixes.some((p) => rule.re.test(p))) excluded = !rule.negate;
    return excluded;
  };
}

/** The files of the context that go into the tar, relative to it. */
export function contextFiles(context: string, dockerfile: string): string[] {
  const ignoreFile = join(context, '.dockerignore');
  const ignoreText = existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8') : '';
  const excluded = dockerignore(ignoreText);
  const reincludes = ignoreText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('!'))
    .map((l) => l.slice(1).replace(/^\/+/, ''));
  const keep = new Set(['.dockerignore', relative(context, dockerfile)]);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(context, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        // Skip an excluded folder unless a `!` rule may bring back something inside it.
        if (excluded(rel) && !reincludes.some((r) => r.startsWith(`${rel}/`) || r === rel || r.startsWith('*')))
          continue;
        walk(rel);
      } else if (keep.has(rel) || !excluded(rel)) files.push(rel);
    }
  };
  walk('');
  return files.sort();
}

/** A tar stream of those files (GNU or BSD tar reading the list from stdin). */
export function contextTar(context: string, dockerfile: string): Readable {
  const files = contextFiles(context, dockerfile);
  const tar = spawn('tar', ['-C', context, '-cf', '-', '--no-recursion', '-T', '-'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  tar.stdin.end(files.join('\n') + '\n');
  return tar.stdout;
}
