/** The push replicas' client of the provider, against the real push sink and a provider that never answers. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PROVIDER_MAX_SOCKETS, ProviderClient } from '../../services/push/src/provider-client';
import { createPushSink } from '../../services/push-sink/src/server';
import { freePort } from '../src/runtime/ports';

const listen = async (server: ReturnType<typeof createServer>) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
};
const close = (server: ReturnType<typeof createServer>) => {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(resolve));
};

describe('the push provider client', () => {
  const sink = createPushSink();
  const silent = createServer(() => undefined); // reads the request, never answers
  let sinkUrl: URL;
  let silentUrl: URL;
  beforeAll(async () => {
    sinkUrl = await listen(sink);
    silentUrl = await listen(silent);
  });
  afterAll(() => Promise.all([close(sink), close(silent)]));

  const valid = { eventId: 'e1', userId: 'u1', replicaId: 'push-1', title: 'Welcome!', body: 'Hello' };

  it('POSTs JSON over at most PROVIDER_MAX_SOCKETS kept-alive connections, and the provider records each', async () => {
    let connections = 0;
    sink.on('connection', () => connections++);
    const client = new ProviderClient(sinkUrl, 5_000);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => client.postJson('/notifications', { ...valid, eventId: `e${i}` })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
    expect(connections).toBeGreaterThan(0);
    expect(connections).toBeLessThanOrEqual(PROVIDER_MAX_SOCKETS);
    const listed = (await (await fetch(new URL('/notifications', sinkUrl))).json()) as unknown[];
    expect(listed).toHaveLength(30);
  });

  it("gives a refusal's status and the start of its body, for the one-line failure", async () => {
    const answer = await new ProviderClient(sinkUrl, 5_000).postJson('/notifications', { ...valid, title: 3 });
    expect(answer).toEqual({ status: 400, text: '{"error":"missing or empty string field(s): title"}' });
  });

  it('rejects when the provider does not answer in time, or cannot be reached', async () => {
    await expect(new ProviderClient(silentUrl, 200).postJson('/notifications', valid)).rejects.toThrow(
      'the push provider did not answer within 200 ms',
    );
    const nobody = new URL(`http://127.0.0.1:${await freePort()}`);
    await expect(new ProviderClient(nobody, 2_000).postJson('/notifications', valid)).rejects.toThrow(/ECONNREFUSED/);
  });
});
