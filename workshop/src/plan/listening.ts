/**
 * What a declared backing container listens on, read from its declaration
 * the way the server itself reads its settings: a broker's port flag in its
 * command (the broker registry knows its flags and default port), MailDev's MAILDEV_*_PORT env or its -s/-w flags, the push sink's
 * PORT. A URL in a service's env is right only if it names that scheme and
 * that port on that container's host name.
 */
import type { Served } from '../runtime/addresses';
import { BROKER_KINDS, BROKERS, type BrokerKind } from '../runtime/brokers';
import type { BackingKind } from '../runtime/topology';
import type { PlanContainer } from './types';

/** The scheme a service speaks to each backing service (MailDev's web UI is for people, not for the mail service). */
export const SPOKEN: Record<BackingKind, string> = {
  ...(Object.fromEntries(BROKER_KINDS.map((kind) => [kind, `${BROKERS[kind].scheme}:`])) as Record<BrokerKind, string>),
  maildev: 'smtp:',
  'push-sink': 'http:',
};

/** The values `args` gives any of `flags` (`--port 6380` or `--port=6380`), in order: a server reads its settings from these. */
export function flagValues(args: string[] | undefined, flags: string[]): string[] {
  const values: string[] = [];
  for (const [i, arg] of (args ?? []).entries()) {
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    const value = inline ?? args?.[i + 1];
    if (flags.includes(flag) && value !== undefined) values.push(value);
  }
  return values;
}

/** The first value of `flags` in `args` that is a port. */
function flagPort(args: string[] | undefined, flags: string[]): number | undefined {
  return flagValues(args, flags)
    .map(Number)
    .find((port) => Number.isInteger(port) && port > 0);
}

/** A container's whole argv as its server sees it: the entrypoint's arguments, then the command. */
export const argsOf = (c: PlanContainer): string[] => [...(c.entrypoint ?? []), ...(c.command ?? [])];

const envPort = (c: PlanContainer, name: string): number | undefined => {
  const port = Number(c.env[name]);
  return c.env[name] !== undefined && Number.isInteger(port) && port > 0 ? port : undefined;
};

/** What `c` serves (scheme -> port), by its role; undefined for a service or an unknown container. */
export function servedBy(c: PlanContainer): Served | undefined {
  const args = argsOf(c);
  switch (c.role) {
    case 'redis':
    case 'nats': {
      const { portFlags, port } = BROKERS[c.role];
      return { [SPOKEN[c.role]]: flagPort(args, portFlags) ?? port };
    }
    case 'maildev':
      return {
        // Its flags win over its env, as in MailDev's own option parsing.
        'smtp:': flagPort(args, ['-s', '--smtp']) ?? envPort(c, 'MAILDEV_SMTP_PORT') ?? 1025,
        'http:': flagPort(args, ['-w', '--web']) ?? envPort(c, 'MAILDEV_WEB_PORT') ?? 1080,
      };
    case 'push-sink': {
      // The sink has no default port: without PORT it does not start (that is a problem of its own).
      const port = envPort(c, 'PORT');
      return port === undefined ? {} : { 'http:': port };
    }
    default:
      return undefined;
  }
}
