import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LocalRuntime } from '../runtime/local-runtime';
import { ENDPOINTS_FILE } from './measure';
import { topology, type Transport } from '../runtime/topology';
import { REPO } from '../steps/manifest';

/**
 * `workshop local [redis|nats] [--mail N] [--push N]`: runs the system as
 * processes on this machine and prints where to look, until Ctrl-C.
 */
export async function localCommand(transport: Transport, mail: number, push: number): Promise<number> {
  if (transport !== 'redis' && transport !== 'nats')
    throw new Error(`the transport is redis or nats, not "${transport}"`);
  if (!(mail >= 1 && push >= 1)) throw new Error('--mail and --push take a number of replicas, 1 or more');
  console.log(`Starting the system on ${transport} with ${mail} mail and ${push} push replica(s)...`);
  const runtime = await LocalRuntime.start({ root: REPO, topology: topology(transport, mail, push) });
  const { gatewayUrl, mailDevUrl, pushSinkUrl } = runtime.endpoints;
  // For `workshop measure`, in another terminal.
  await mkdir(dirname(ENDPOINTS_FILE), { recursive: true });
  await writeFile(ENDPOINTS_FILE, JSON.stringify({ gatewayUrl, mailDevUrl, pushSinkUrl }, null, 2));
  console.log(`
Ready.
  Gateway         ${gatewayUrl}   try: curl -X POST ${gatewayUrl}/users -H 'content-type: application/json' -d '{"email":"ada@example.com","name":"Ada"}'
  MailDev inbox   ${mailDevUrl}
  Push sink       ${pushSinkUrl}/notifications
  Logs            ${runtime.logDir}
Count deliveries per user (in another terminal): npm run workshop -- measure
Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('\nStopping...');
  await rm(ENDPOINTS_FILE, { force: true });
  await runtime.stop();
  return 0;
}
