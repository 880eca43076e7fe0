/**
 * The plan drives the local runtime: what the Pulumi program declares (redis,
 * 1 replica each) is what runs as processes, and it works end to end.
 */
import { join } from 'node:path';
import { planToTopology, readPlan } from '../src/plan';
import { LocalRuntime } from '../src/runtime/local-runtime';
import { endOverlays, getStep } from '../src/steps/manifest';
import { makeTree } from '../src/steps/tree';
import { createUser, settle } from '../src/grading/traffic';

const REPO = join(__dirname, '..', '..');
let runtime: LocalRuntime | undefined;

afterAll(async () => {
  await runtime?.stop();
});

test('the plan of redis 1 + 1 runs locally: one user gives one email and one push', async () => {
  // The working tree is the start of step 1: run the program as step 1 leaves it.
  const tree = await makeTree(REPO, 'plan-int-step1', endOverlays(getStep(1)));
  const plan = await readPlan(join(tree, 'infra'), {
    config: { transport: 'redis', mailReplicas: 1, pushReplicas: 1 },
  });
  const topology = planToTopology(plan);
  runtime = await LocalRuntime.start({ root: tree, topology });

  // The replicas are the declared ones, with the declared env pointed at loopback.
  const mail = runtime.fleet.list('mail');
  expect(mail.map((r) => r.id)).toEqual(['mail-1']);
  expect(mail[0].env.REDIS_URL).toBe(runtime.endpoints.redisUrl);
  expect(mail[0].env.SMTP_URL).toBe(runtime.endpoints.smtpUrl);
  expect(runtime.fleet.list('push')[0].env.PUSH_SINK_URL).toBe(runtime.endpoints.pushSinkUrl);

  const user = await createUser(runtime.endpoints.gatewayUrl, 'plan@example.com', 'Plan');
  const emails = await settle(() => runtime!.backing.mail.deliveries(), 1);
  const pushes = await settle(() => runtime!.backing.push.deliveries(), 1);
  expect(emails.total).toBe(1);
  expect(pushes.total).toBe(1);
  expect(emails.perUser.get(user.id)).toBe(1);
  expect(pushes.perUser.get(user.id)).toBe(1);
  expect([...emails.perReplica.keys()]).toEqual(['mail-1']);
  expect([...pushes.perReplica.keys()]).toEqual(['push-1']);
});
