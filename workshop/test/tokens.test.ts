/**
 * The brokers' tokens in a plan (plan/tokens.ts): what a broker's command
 * requires, what each service presents, and the plan the runtime refuses
 * because Docker's broker would refuse its services.
 */
import { flagValues } from '../src/plan/listening';
import { brokerTokens, tokenProblems } from '../src/plan/tokens';
import type { Plan, PlanContainer } from '../src/plan';

const container = (c: Partial<PlanContainer> & Pick<PlanContainer, 'resource'>): PlanContainer =>
  ({ env: {}, labels: {}, networks: [{ network: 'net', aliases: [] }], ports: [], ...c }) as PlanContainer;

function plan(command: string[], tokens: (string | undefined)[]): Plan {
  const nats = container({
    resource: 'nats',
    name: 'workshop-nats',
    role: 'nats',
    command,
    networks: [{ network: 'net', aliases: ['nats'] }],
  });
  const services = tokens.map((token, i) =>
    container({
      resource: `mail-${i + 1}`,
      role: 'mail',
      replicaId: `mail-${i + 1}`,
      env: { NATS_URL: 'nats://nats:4222', ...(token === undefined ? {} : { NATS_TOKEN: token }) },
    }),
  );
  const redisClient = container({
    resource: 'user-1',
    role: 'user',
    replicaId: 'user-1',
    env: { REDIS_URL: 'redis://redis:6379' },
  });
  return { containers: [nats, ...services, redisClient], networks: [], images: [], outputs: {} } as unknown as Plan;
}

test('flagValues reads `--auth x` and `--auth=x`, in order, and nothing for a flag with no value', () => {
  expect(flagValues(['-js', '--auth', 'x'], ['--auth'])).toEqual(['x']);
  expect(flagValues(['--auth=y', '-js', '--auth', 'z'], ['--auth'])).toEqual(['y', 'z']);
  expect(flagValues(['-js'], ['--auth'])).toEqual([]);
  expect(flagValues(['--auth'], ['--auth'])).toEqual([]);
  expect(flagValues(undefined, ['--auth'])).toEqual([]);
});

test('the token a broker requires is the last its argv gives (the server reads them in order), entrypoint included', () => {
  expect(brokerTokens(plan(['--auth', 'a', '--auth', 'b'], []))[0].required).toBe('b');
  const p = plan(['-js'], []);
  p.containers[0].entrypoint = ['nats-server', '--auth', 'e'];
  expect(brokerTokens(p)[0].required).toBe('e');
});

test('a service on no network the broker joins is not its client', () => {
  const p = plan(['--auth', 't'], [undefined]);
  p.containers[1].networks = [{ network: 'other', aliases: [] }];
  expect(brokerTokens(p)[0].clients).toEqual([]);
});

test("a broker's clients are the services with a URL of its scheme at its host names", () => {
  const [nats] = brokerTokens(plan(['-js', '--auth', 't'], ['t', undefined]));
  expect(nats).toMatchObject({ kind: 'nats', broker: 'workshop-nats', required: 't', envName: 'NATS_TOKEN' });
  expect(nats.clients).toEqual([
    { replica: 'mail-1', token: 't' },
    { replica: 'mail-2', token: undefined },
  ]);
});

test('every client with the required token: no problem; a broker that requires none takes anyone', () => {
  expect(tokenProblems(plan(['--auth', 't'], ['t', 't']))).toEqual([]);
  expect(tokenProblems(plan(['-js'], [undefined, 'anything']))).toEqual([]);
});

test('a client without the token, or with another, is named, and the token is not shown', () => {
  const problems = tokenProblems(plan(['--auth', 'the-secret'], [undefined, 'wrong', 'the-secret']));
  expect(problems).toEqual([
    expect.stringMatching(
      /^mail-1 has no NATS_TOKEN, but the nats container workshop-nats requires a token \(--auth\)/,
    ),
    expect.stringMatching(/^mail-2 has a NATS_TOKEN that is not the token the nats container workshop-nats requires/),
  ]);
  expect(problems.join(' ')).not.toMatch(/the-secret|wrong/);
});
