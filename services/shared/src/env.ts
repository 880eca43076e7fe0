/**
 * Start-up configuration read from the environment, validated before anything
 * connects: a missing or malformed variable stops the replica with one line
 * that names it, instead of a connection error much later.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

export function requireString(name: string, env: Env = process.env): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set`);
  return value;
}

export function optionalString(name: string, fallback: string, env: Env = process.env): string {
  return env[name]?.trim() || fallback;
}

/** A URL whose scheme is one of `protocols`, e.g. requireUrl('REDIS_URL', ['redis:']). */
export function requireUrl(name: string, protocols: string[], env: Env = process.env): URL {
  const raw = requireString(name, env);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL: "${raw}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(' or ')}//, got "${raw}"`);
  }
  return url;
}

export function requirePort(name: string, env: Env = process.env): number {
  const raw = requireString(name, env);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`${name} must be a port number (1-65535), got "${raw}"`);
  }
  return port;
}

/** The port of a URL, or the scheme's default when the URL names none. */
export function portOf(url: URL, fallback: number): number {
  return url.port ? Number(url.port) : fallback;
}
