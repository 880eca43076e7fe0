/**
 * Step 2, infra: the replica counts come from the stack's configuration
 * (refused when they are not a whole number of at least 1), and each replica
 * is a container of its own: its own id, its own Docker name, its own
 * resource name and, for the gateway, its own host port. Under mocks nothing
 * refuses two containers with one name or one host port; a Docker engine does.
 */
import {
  checkConfigRefused,
  checkDistinctContainerNames,
  checkDistinctHostPorts,
  checkDistinctResourceNames,
  checkPublishing,
  checkReplicas,
  gradedPlan,
} from '../../../workshop/src/grading';

const SCALED = { gatewayReplicas: 2, mailReplicas: 2, pushReplicas: 2 };

test('gatewayReplicas=2, mailReplicas=2, pushReplicas=2 give 2 containers each, with distinct ids', async () => {
  const p = await gradedPlan(SCALED);
  const how =
    'Read each replica count from the stack config (infra/config.ts), and make NestService declare one container per replica.';
  checkReplicas(p, 'gateway', 2, how);
  checkReplicas(p, 'mail', 2, how);
  checkReplicas(p, 'push', 2, how);
  checkReplicas(p, 'user', 1, 'userReplicas is not set: one user container, its default.');
});

test('each replica can be created on one Docker engine: its own container name, resource name and host port', async () => {
  const p = await gradedPlan(SCALED);
  checkDistinctContainerNames(p);
  checkDistinctResourceNames(p);
  checkDistinctHostPorts(p);
  checkPublishing(p);
});

test('mailReplicas=3 gives 3 mail containers: the count is not hard-coded', async () => {
  const p = await gradedPlan({ mailReplicas: 3, pushReplicas: 1 });
  checkReplicas(p, 'mail', 3, 'NestService should declare as many containers as its replica count.');
  checkReplicas(p, 'push', 1, 'pushReplicas=1 means one push container.');
  checkDistinctContainerNames(p);
});

test('a replica count that is not a whole number of at least 1 stops the program, naming the key', async () => {
  await checkConfigRefused('mailReplicas', 0, 'no mail container at all, and no error to say why.', SCALED);
  await checkConfigRefused('pushReplicas', 2.5, 'there is no half a container.', SCALED);
});
