/**
 * `workshop board --target stack`: the delivery board fed from what
 * `workshop up` deployed (its MailDev and push sink, named in the stack
 * outputs), served on 127.0.0.1 as for the local runtime. It has no replicas
 * to kill from the page: `workshop kill mail-1 --target stack` does that with
 * Docker. Open the guide's board page with ?board=<its URL>.
 */
import { stackOutputs, type StackOutputs } from '../grading/stack';
import { LOCAL_PORTS, preferPort } from '../runtime/preferred-ports';
import { MailDevClient, PushSinkClient } from '../grading/sinks';
import { REPO } from '../steps/manifest';
import { DeliveryFeed } from './feed';
import { BoardServer } from './server';

export async function stackBoardCommand(outputs: () => StackOutputs = () => stackOutputs(REPO)): Promise<number> {
  let stack: StackOutputs;
  try {
    stack = outputs();
  } catch (error) {
    console.error((error as Error).message.split('\n')[0]);
    return 1;
  }
  const mail = new MailDevClient(stack.mailDevUrl);
  const push = new PushSinkClient(stack.pushSinkUrl);
  const feed = new DeliveryFeed({
    mail: () => mail.deliveries(),
    push: () => push.deliveries(),
    replicas: () => [],
    controls: false,
  }).start();
  const port = await preferPort(LOCAL_PORTS.board, 'board', console.log);
  const server = await BoardServer.start({ feed, gatewayUrl: stack.gatewayUrl, port });
  console.log(
    `Delivery board of the deployed stack: ${server.url}/events\n` +
      `Open it in the guide (npm run docs:dev): /board?board=${encodeURIComponent(server.url)}\n` +
      'Press Ctrl-C to stop.',
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
  await feed.stop();
  return 0;
}
