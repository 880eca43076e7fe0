// TEMP (not committed): profile the replicas of one configuration under the bench's load.
import { BenchSystem } from './bench-system';
import { CONFIGURATIONS } from './configurations';
import { withEnv } from '../src/runtime/topology';
import { hammer } from './load';
import { LOAD } from './delivery';

async function main() {
  const key = process.argv[2] ?? 'nats-queue';
  const config = CONFIGURATIONS.find((c) => c.key === key)!;
  const prof = (id: string) => ({ NODE_OPTIONS: '--require /tmp/prof/hook.js', PROFILE_MS: '22000', PROFILE_OUT: `/tmp/prof/${key}-${id}.cpuprofile` });
  const ids = ['gateway-1', 'user-1', 'mail-1', 'push-1'];
  const t = withEnv(config.topology, Object.fromEntries(ids.map((id) => [id, prof(id)])));
  const system = await BenchSystem.start(config.step, t, `prof-${key}`);
  try {
    const r = await hammer(`${system.gatewayUrl}/users`, { ...LOAD, seconds: 8 }, key);
    console.log(r.accepted);
    await new Promise((res) => setTimeout(res, 15000));
  } finally {
    await system.stop();
  }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
