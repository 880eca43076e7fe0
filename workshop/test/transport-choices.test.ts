/**
 * The transport choices as step 3's infra check grades them: every choice
 * that runs on NATS, and the rule that no service is left naming a Redis
 * container. Plans built by hand: no Pulumi, no Docker.
 */
import { checkNoServiceOn, GradeError, transportChoicesOn } from '../src/grading';
import type { Plan, PlanContainer } from '../src/plan';

function container(role: PlanContainer['role'], name: string, env: Record<string, string> = {}): PlanContainer {
  const aliases = role === 'redis' || role === 'nats' ? [role] : [];
  return {
    resource: name,
    name,
    image: `${role}:latest`,
    env,
    networks: [{ network: 'net', aliases }],
    ports: [],
    labels: {},
    role,
    replicaId: role === 'redis' || role === 'nats' ? undefined : name,
  };
}

function plan(serviceEnv: Record<string, string>): Plan {
  const services = (['gateway', 'user', 'mail', 'push'] as const).map((s) => container(s, `${s}-1`, serviceEnv));
  return {
    infraDir: '/infra',
    project: 'p',
    stack: 's',
    config: {},
    networks: [{ resource: 'net', name: 'net' }],
    images: [],
    containers: [container('nats', 'nats'), container('redis', 'redis'), ...services],
    others: [],
    outputs: {},
    millis: 0,
  };
}

test('nats and jetstream both run on NATS, redis alone on Redis', () => {
  expect(transportChoicesOn('nats').sort()).toEqual(['jetstream', 'nats']);
  expect(transportChoicesOn('redis')).toEqual(['redis']);
});

test('a plan whose services all name NATS only passes', () => {
  expect(() => checkNoServiceOn(plan({ NATS_URL: 'nats://nats:4222', PORT: '3000' }), 'redis', 'why')).not.toThrow();
});

test('a service that still names the Redis container fails, with its replica and variable', () => {
  const p = plan({ NATS_URL: 'nats://nats:4222', REDIS_URL: 'redis://redis:6379' });
  expect(() => checkNoServiceOn(p, 'redis', 'why')).toThrow(GradeError);
  expect(() => checkNoServiceOn(p, 'redis', 'why')).toThrow(
    'gateway-1 still has REDIS_URL=redis://redis:6379, which names the redis container: why',
  );
});

test('a host that names no container on the network is not a Redis', () => {
  const p = plan({ CACHE_URL: 'redis://elsewhere:6379' });
  expect(() => checkNoServiceOn(p, 'redis', 'why')).not.toThrow();
});
