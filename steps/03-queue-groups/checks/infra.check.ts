/**
 * Step 3, infra: with transport=nats the program runs NATS, and every
 * service reaches it by its alias.
 */
import {
  byRole,
  checkHostsResolve,
  checkPointsAt,
  checkPublishing,
  gradedPlan,
  check,
} from '../../../workshop/src/grading';

const CONFIG = { transport: 'nats', mailReplicas: 2, pushReplicas: 2 };

test('transport=nats runs a NATS broker, and every service gets NATS_URL', async () => {
  const p = await gradedPlan(CONFIG);
  check(
    byRole(p, 'nats').length === 1,
    `With transport=nats the program declares ${byRole(p, 'nats').length} NATS container(s); expected 1. Where does infra/config.ts choose the broker(s)?`,
  );
  for (const service of ['gateway', 'user', 'mail', 'push'] as const) {
    checkPointsAt(p, service, 'NATS_URL', 'nats', 'Every service talks through NATS in step 3.');
  }
  checkHostsResolve(p);
  checkPublishing(p);
});
