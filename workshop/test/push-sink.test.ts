import type { AddressInfo } from 'node:net';
import { createPushSink } from '../../services/push-sink/src/server';

describe('the push sink', () => {
  const server = createPushSink();
  let base: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const post = (body: string) =>
    fetch(`${base}/notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const valid = { eventId: 'e1', userId: 'u1', replicaId: 'push-1', title: 'Welcome!', body: 'Hello' };

  test('records a notification, lists it, filters it and clears it', async () => {
    expect((await post(JSON.stringify(valid))).status).toBe(201);
    const list = (await (await fetch(`${base}/notifications?eventId=e1`)).json()) as { replicaId: string }[];
    expect(list).toHaveLength(1);
    expect(list[0].replicaId).toBe('push-1');
    expect(await (await fetch(`${base}/notifications?eventId=other`)).json()).toEqual([]);
    expect(await (await fetch(`${base}/notifications`, { method: 'DELETE' })).json()).toEqual({ deleted: 1 });
  });

  test('a bad body is a 400 naming the fields, and nothing is recorded', async () => {
    const answer = await post(JSON.stringify({ ...valid, userId: '', title: 3 }));
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: string }).error).toBe('missing or empty string field(s): userId, title');
    expect((await post('{not json')).status).toBe(400);
    expect((await post(JSON.stringify({ ...valid, body: 'x'.repeat(20_000) }))).status).toBe(413);
    expect(await (await fetch(`${base}/notifications`)).json()).toEqual([]);
  });
});
