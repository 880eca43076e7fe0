/**
 * Step 1, infra: the Pulumi program declares the whole system, wired by
 * network aliases (each address whole: scheme, host name, port), and
 * publishes only what a person must open, whose addresses it exports.
 */
import {
  describe as name,
  byRole,
  checkContainersOutput,
  checkHostsResolve,
  checkJoinsDeclaredNetwork,
  checkOpenedUrl,
  checkPointsAt,
  checkPublishing,
  checkReplicas,
  gradedPlan,
  check,
} from '../../../workshop/src/grading';

const plan = () => gradedPlan({});

test('one Docker network, and every container joins it', async () => {
  checkJoinsDeclaredNetwork(await plan());
});

test('Redis, MailDev and the push sink run beside the services', async () => {
  const p = await plan();
  for (const role of ['redis', 'maildev', 'push-sink']) {
    check(
      byRole(p, role).length === 1,
      `The program declares ${byRole(p, role).length} ${role} container(s); expected 1.`,
    );
  }
});

test('the four services run, one replica each', async () => {
  const p = await plan();
  for (const service of ['gateway', 'user', 'mail', 'push'] as const)
    checkReplicas(p, service, 1, 'One replica each in step 1.');
});

test("every address a service names is a container's alias on its network, with the port it listens on", async () => {
  const p = await plan();
  checkPointsAt(p, 'mail', 'SMTP_URL', 'maildev', 'The mail service sends its emails to MailDev over SMTP.');
  checkPointsAt(p, 'push', 'PUSH_SINK_URL', 'push-sink', 'The push service posts its notifications to the push sink.');
  for (const service of ['gateway', 'user', 'mail', 'push'] as const) {
    checkPointsAt(p, service, 'REDIS_URL', 'redis', 'Every service talks through Redis in step 1.');
  }
  checkHostsResolve(p);
});

test('the gateway, MailDev and the push sink are published on 127.0.0.1, the broker is not published', async () => {
  const p = await plan();
  for (const role of ['gateway', 'maildev', 'push-sink']) {
    check(byRole(p, role).length, `The program declares no ${role} container, which you open from this machine.`);
    for (const c of byRole(p, role)) {
      check(
        c.ports.some((port) => port.external !== undefined),
        `${name(c)} publishes no port: you could not open it from this machine.`,
      );
    }
  }
  checkPublishing(p);
});

test('the stack outputs are the addresses you open on this machine', async () => {
  const p = await plan();
  checkOpenedUrl(p, 'gatewayUrl', 'gateway', "the gateway's address");
  checkOpenedUrl(p, 'mailDevUrl', 'maildev', "MailDev's web UI");
  checkOpenedUrl(p, 'pushSinkUrl', 'push-sink', "the push sink's address");
  checkContainersOutput(p);
});
