import { LocalRuntime } from '../runtime/local-runtime';
import { topology, type Transport } from '../runtime/topology';
import { REPO } from '../steps/manifest';

/**
 * `workshop local [redis|nats] [--mail N] [--push N]`: runs the system as
 * processes on this machine and prints where to look, until Ctrl-C.
 */
export async function localCommand(transport: Transport, mail: number, push: number): Promise<number> {
  console.log(`Starting the system on ${transport} with ${mail} mail and ${push} push replica(s)...`);
  const runtime = await LocalRuntime.start({ root: REPO, topology: topology(transport, mail, push) });
  const { gatewayUrl, mailDevUrl, pushSinkUrl } = runtime.endpoints;
  console.log(`
Ready.
  Gateway         ${gatewayUrl}   try: curl -X POST ${gatewayUrl}/users -H 'content-type: application/json' -d '{"email":"ada@example.com","name":"Ada"}'
  MailDev inbox   ${mailDevUrl}
  Push sink       ${pushSinkUrl}/notifications
  Logs            ${runtime.logDir}
Press Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('\nStopping...');
  await runtime.stop();
  return 0;
}
