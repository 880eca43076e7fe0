/**
 * Container healthchecks that need nothing but Node, which every image built
 * from services/Dockerfile has (no curl or wget in a slim image).
 */
import type * as docker from '@pulumi/docker';

const TIMING = { interval: '5s', timeout: '3s', retries: 5, startPeriod: '10s' };

/** Healthy when GET http://127.0.0.1:<port><path> answers 2xx. */
export function httpHealthcheck(port: number, path: string): docker.types.input.ContainerHealthcheck {
  const script = `fetch('http://127.0.0.1:${port}${path}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
  return { tests: ['CMD', 'node', '-e', script], ...TIMING };
}

/**
 * Healthy while the process holds an established TCP connection to
 * `peerPort` (its broker): a consumer with no HTTP port is alive and
 * connected. Reads /proc/net/tcp{,6} of the container's own network namespace.
 */
export function connectedHealthcheck(peerPort: number): docker.types.input.ContainerHealthcheck {
  const hex = peerPort.toString(16).toUpperCase().padStart(4, '0');
  const script = [
    "const fs = require('fs');",
    "const rows = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((f) => { try { return fs.readFileSync(f, 'utf8').split('\\n').slice(1); } catch { return []; } });",
    `const up = rows.some((row) => { const c = row.trim().split(/\\s+/); return (c[2] || '').endsWith(':${hex}') && c[3] === '01'; });`,
    'process.exit(up ? 0 : 1);',
  ].join(' ');
  return { tests: ['CMD', 'node', '-e', script], ...TIMING };
}
