/**
 * The harness's broker registry (runtime/brokers.ts) and the Pulumi
 * component that deploys the brokers (infra/components/broker.ts) describe
 * the same brokers: same kinds, env names, schemes, ports and aliases, and
 * the default images are recognised as what they are.
 */
import { BROKERS as DEPLOYED } from '../../infra/components/broker';
import { DEFAULTS, TRANSPORTS } from '../../infra/config';
import { roleOf } from '../src/plan/roles';
import { BROKER_KINDS, BROKERS, launchOf, TRANSPORT_CHOICES } from '../src/runtime/brokers';
import { installHint } from '../src/runtime/tools';

test('the same broker kinds on both sides', () => {
  expect([...BROKER_KINDS].sort()).toEqual(Object.keys(DEPLOYED).sort());
});

test.each(BROKER_KINDS)('%s: the same env name, scheme, port and alias as the Pulumi component', (kind) => {
  const { envName, scheme, port, alias } = BROKERS[kind];
  expect({ envName, scheme, port, alias }).toEqual({
    envName: DEPLOYED[kind].envName,
    scheme: DEPLOYED[kind].scheme,
    port: DEPLOYED[kind].port,
    alias: DEPLOYED[kind].alias,
  });
});

test.each(BROKER_KINDS)(
  '%s: the same token (server flag and variable) as the Pulumi component, or none on both',
  (kind) => {
    expect(BROKERS[kind].token).toEqual(DEPLOYED[kind].token);
  },
);

test('a broker that requires a token is run with a new one each time, passed by its flag and found among its endpoints', () => {
  const a = launchOf('nats', [40001, 40002], '/tmp/x');
  const b = launchOf('nats', [40001, 40002], '/tmp/x');
  const token = BROKERS.nats.tokenOf(a.endpoints)!;
  expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
  expect(a.args.slice(-2)).toEqual(['--auth', token]);
  expect(BROKERS.nats.tokenOf(b.endpoints)).not.toBe(token);
  const redis = launchOf('redis', [40003], '/tmp/x');
  expect(BROKERS.redis.tokenOf(redis.endpoints)).toBeUndefined();
  expect(redis.args).not.toContain('--auth');
});

test.each(BROKER_KINDS)("%s: the stack's default image is recognised as this broker", (kind) => {
  const container = {
    resource: 'b',
    name: 'x',
    image: DEFAULTS.images[kind],
    env: {},
    labels: {},
    networks: [],
    ports: [],
  };
  expect(roleOf(container as unknown as Parameters<typeof roleOf>[0])).toBe(kind);
});

test.each(BROKER_KINDS)('%s: a missing server says how to install it', (kind) => {
  expect(installHint(BROKERS[kind].server)).toBe(BROKERS[kind].installHint);
  expect(BROKERS[kind].installHint).toMatch(/apt-get install|brew install/);
});

test('every transport the stack config allows maps to a broker', () => {
  expect(Object.keys(TRANSPORT_CHOICES).sort()).toEqual([...TRANSPORTS].sort());
});
