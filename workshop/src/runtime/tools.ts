import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { BROKER_KINDS, BROKERS } from './brokers';

/** A program the workshop needs is not installed: the message says how to get it. */
export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

const INSTALL_HINTS: Record<string, string> = {
  ...Object.fromEntries(BROKER_KINDS.map((kind) => [BROKERS[kind].server, BROKERS[kind].installHint])),
  docker: 'install Docker Engine or Docker Desktop: https://docs.docker.com/get-docker/',
  pulumi: 'install the Pulumi CLI: `curl -fsSL https://get.pulumi.com | sh` or `brew install pulumi/tap/pulumi`',
};

/** The full path of `name` on PATH, or undefined. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The full path of `name`, or a MissingToolError that says how to install it. */
export function requireTool(name: string): string {
  const found = findOnPath(name);
  if (found) return found;
  throw new MissingToolError(`${name} was not found on PATH: ${INSTALL_HINTS[name] ?? `install ${name}`}`);
}

export function installHint(name: string): string {
  return INSTALL_HINTS[name] ?? `install ${name}`;
}

/**
 * A file inside an installed package, found in node_modules even when the
 * package's "exports" do not expose it (CLI scripts usually are not).
 */
export function packageFile(pkg: string, ...parts: string[]): string {
  const require = createRequire(__filename);
  const found = (require.resolve.paths(pkg) ?? []).map((dir) => join(dir, pkg, ...parts)).find((f) => existsSync(f));
  if (!found) throw new MissingToolError(`${pkg} is not installed: run \`npm ci\` at the root of the workshop`);
  return found;
}
