/**
 * What a Docker engine and `pulumi up` refuse, found on a plan: each check
 * passes a plan that could be deployed and fails one that could not, with a
 * message naming the containers and what they share.
 */
import {
  checkDistinctContainerNames,
  checkDistinctHostPorts,
  checkDistinctResourceNames,
} from '../src/grading/replica-wiring';
import type { Plan, PlanContainer, PlanPort } from '../src/plan';

function container(replicaId: string, name: string | undefined, ports: PlanPort[] = [], resource = replicaId) {
  const role = replicaId.split('-')[0] as PlanContainer['role'];
  return { resource, name, image: 'x', env: {}, networks: [], ports, labels: {}, role, replicaId } as PlanContainer;
}

function plan(...containers: PlanContainer[]): Plan {
  return {
    infraDir: '/tmp/infra',
    project: 'workshop',
    stack: 'grading',
    config: {},
    networks: [],
    images: [],
    containers,
    others: [],
    outputs: {},
    millis: 0,
  };
}

const at = (external: number, ip?: string): PlanPort => ({ internal: 3000, external, ip });

describe('container names', () => {
  test('distinct names, or none (Docker then picks one), pass', () => {
    expect(() =>
      checkDistinctContainerNames(plan(container('mail-1', 'w-mail-1'), container('mail-2', 'w-mail-2'))),
    ).not.toThrow();
    expect(() =>
      checkDistinctContainerNames(plan(container('mail-1', undefined), container('mail-2', undefined))),
    ).not.toThrow();
  });

  test('one name for two replicas fails, naming the service, the replicas and the name', () => {
    expect(() =>
      checkDistinctContainerNames(plan(container('mail-1', 'w-mail'), container('mail-2', 'w-mail'))),
    ).toThrow('The mail containers mail-1, mail-2 all have the Docker container name "w-mail": Docker refuses');
  });
});

describe('host ports', () => {
  test('one port per replica passes, and so does one port on two different addresses', () => {
    expect(() =>
      checkDistinctHostPorts(
        plan(
          container('gateway-1', 'a', [at(3000, '127.0.0.1')]),
          container('gateway-2', 'b', [at(3001, '127.0.0.1')]),
        ),
      ),
    ).not.toThrow();
    expect(() =>
      checkDistinctHostPorts(
        plan(
          container('gateway-1', 'a', [at(3000, '127.0.0.1')]),
          container('gateway-2', 'b', [at(3000, '127.0.0.2')]),
        ),
      ),
    ).not.toThrow();
  });

  test('one port on one address, or on every address, for two replicas fails', () => {
    expect(() =>
      checkDistinctHostPorts(
        plan(
          container('gateway-1', 'a', [at(3000, '127.0.0.1')]),
          container('gateway-2', 'b', [at(3000, '127.0.0.1')]),
        ),
      ),
    ).toThrow('The gateway containers gateway-1, gateway-2 all publish host port 3000');
    expect(() =>
      checkDistinctHostPorts(
        plan(container('gateway-1', 'a', [at(3000)]), container('gateway-2', 'b', [at(3000, '127.0.0.1')])),
      ),
    ).toThrow('all publish host port 3000');
  });

  test('a port published inside the network only (no host port) is no clash', () => {
    expect(() =>
      checkDistinctHostPorts(
        plan(container('mail-1', 'a', [{ internal: 25 }]), container('mail-2', 'b', [{ internal: 25 }])),
      ),
    ).not.toThrow();
  });
});

describe('resource names', () => {
  test('one resource name for replicas of two services fails: one URN under two NestServices', () => {
    expect(() =>
      checkDistinctResourceNames(
        plan(container('mail-1', 'a', [], 'replica-1'), container('push-1', 'b', [], 'replica-1')),
      ),
    ).toThrow('The mail and push containers mail-1, push-1 are all declared with the Pulumi resource name "replica-1"');
  });

  test('distinct resource names pass', () => {
    expect(() => checkDistinctResourceNames(plan(container('mail-1', 'a'), container('push-1', 'b')))).not.toThrow();
  });
});
