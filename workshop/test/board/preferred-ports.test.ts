import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { LOCAL_PORTS, portIsFree, preferPort } from '../../src/runtime/preferred-ports';

test("local's gateway, MailDev and push sink ports are the ones the stack config names", () => {
  const config = readFileSync(join(__dirname, '..', '..', '..', 'infra', 'config.ts'), 'utf8');
  const ports = /ports: \{ gateway: (\d+), mailDev: (\d+), pushSink: (\d+) \}/.exec(config);
  expect(ports?.slice(1).map(Number)).toEqual([LOCAL_PORTS.gateway, LOCAL_PORTS.mailDev, LOCAL_PORTS.pushSink]);
});

test('a taken port falls back to a free one, with one line saying so', async () => {
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const taken = (holder.address() as { port: number }).port;
  try {
    const said: string[] = [];
    const port = await preferPort(taken, 'gateway', (line) => said.push(line));
    expect(port).not.toBe(taken);
    expect(await portIsFree(port)).toBe(true);
    expect(said).toEqual([`port ${taken} (gateway) is taken: using ${port} instead`]);
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});

test('a free port is kept, silently', async () => {
  const probe: Server = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  const said: string[] = [];
  expect(await preferPort(port, 'guide', (line) => said.push(line))).toBe(port);
  expect(said).toEqual([]);
});
