/**
 * What a URL in a service's env means to that service: which port it dials
 * when the URL names none (the fallbacks the services' own code uses), and
 * whether the container behind its host serves that scheme on that port.
 * The local runtime runs each backing service on a port of its own, so it
 * checks the declared address against the declared container before it
 * rewrites it: an address that would fail in Docker must not work here.
 */
import { BROKER_KINDS, BROKERS } from './brokers';

/** The port a service dials for a URL of this scheme that names none (services/shared/src/env.ts portOf callers). */
export const DEFAULT_PORTS: Record<string, number> = {
  ...Object.fromEntries(BROKER_KINDS.map((kind) => [`${BROKERS[kind].scheme}:`, BROKERS[kind].port])),
  'smtp:': 25,
  'http:': 80,
  'https:': 443,
};

/** What a container serves: scheme (with its colon, as URL.protocol has it) -> the port it listens on. */
export type Served = Record<string, number>;

/** The port `url` dials: its own, else its scheme's default (undefined: a scheme the services do not use). */
export function portDialled(url: URL): number | undefined {
  return url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol];
}

const schemeName = (protocol: string) => protocol.replace(/:$/, '');

/**
 * Why `name=value` cannot reach `who` (which serves `served`), or undefined
 * when its scheme and port are what that container listens on.
 */
export function addressMismatch(name: string, value: string, who: string, served: Served): string | undefined {
  const url = new URL(value);
  const offered = Object.entries(served)
    .map(([scheme, port]) => `${schemeName(scheme)} on port ${port}`)
    .join(' and ');
  const port = served[url.protocol];
  if (port === undefined) {
    return `${name}=${value} speaks ${schemeName(url.protocol)} to ${who}, which serves ${offered || 'nothing it declares'}`;
  }
  const dialled = portDialled(url);
  if (dialled !== port) {
    const other = Object.entries(served).find(([, p]) => p === dialled);
    return (
      `${name}=${value} dials port ${dialled}${url.port ? '' : ` (the default of ${schemeName(url.protocol)}://)`}, ` +
      `but ${who} listens for ${schemeName(url.protocol)} on port ${port}` +
      (other ? ` (${dialled} is its ${schemeName(other[0])} port)` : '')
    );
  }
  return undefined;
}
