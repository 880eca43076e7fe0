/**
 * Step 2, infra: replicas come from the stack's configuration, one
 * container each, each with its own id.
 */
import { checkPublishing, checkReplicas, gradedPlan } from '../../../workshop/src/grading';

test('mailReplicas=2 and pushReplicas=2 give 2 mail and 2 push containers with distinct ids', async () => {
  const p = await gradedPlan({ mailReplicas: 2, pushReplicas: 2 });
  const how =
    'Read mailReplicas / pushReplicas from the stack config (infra/config.ts), and make NestService declare one container per replica.';
  checkReplicas(p, 'mail', 2, how);
  checkReplicas(p, 'push', 2, how);
  checkReplicas(p, 'gateway', 1, 'The gateway stays at one replica.');
  checkReplicas(p, 'user', 1, 'The user service stays at one replica.');
  checkPublishing(p);
});

test('mailReplicas=3 gives 3 mail containers: the count is not hard-coded', async () => {
  const p = await gradedPlan({ mailReplicas: 3, pushReplicas: 1 });
  checkReplicas(p, 'mail', 3, 'NestService should loop over args.replicas.');
  checkReplicas(p, 'push', 1, 'pushReplicas=1 means one push container.');
});
