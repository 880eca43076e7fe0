/**
 * Step 3, infra: with any transport that talks through NATS (nats, and
 * jetstream, which is NATS with JetStream on), the program runs one NATS
 * broker, every service reaches it by its alias, and no service is left on Redis.
 */
import {
  byRole,
  checkBrokerTokens,
  checkHostsResolve,
  checkNoServiceOn,
  checkPointsAt,
  checkPublishing,
  gradedPlan,
  check,
  transportChoicesOn,
} from '../../../workshop/src/grading';

const NATS_CHOICES = transportChoicesOn('nats');

test.each(NATS_CHOICES)(
  'transport=%s runs a NATS broker that requires a token, every service gets NATS_URL and the token, none is left on Redis',
  async (transport) => {
    const p = await gradedPlan({ transport, mailReplicas: 2, pushReplicas: 2 });
    const where = `Where does infra/config.ts choose the broker(s) for transport=${transport}?`;
    const nats = byRole(p, 'nats');
    check(
      nats.length === 1,
      `With transport=${transport} the program declares ${nats.length} NATS container(s); expected 1 ` +
        `(every transport but redis talks through NATS, ${NATS_CHOICES.join(' and ')} alike: JetStream is on in every NATS broker). ${where}`,
    );
    const why = `with transport=${transport}, every service talks through NATS (${NATS_CHOICES.join(' and ')} alike). ${where}`;
    for (const service of ['gateway', 'user', 'mail', 'push'] as const) {
      checkPointsAt(p, service, 'NATS_URL', 'nats', why);
    }
    checkNoServiceOn(
      p,
      'redis',
      `nothing talks through Redis with transport=${transport} (Redis runs beside NATS only as the idempotency store of step 5). ${where}`,
    );
    checkHostsResolve(p);
    checkBrokerTokens(p, 'nats');
    checkPublishing(p);
  },
);
