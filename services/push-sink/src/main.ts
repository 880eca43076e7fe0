import { optionalString, requirePort } from '../../shared/src/env.js';
import { announceReady, run } from '../../shared/src/replica.js';
import { createPushSink } from './server.js';

run(async () => {
  const port = requirePort('PORT');
  const server = createPushSink();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, optionalString('HOST', '0.0.0.0'), resolve);
  });
  announceReady(`push sink listening on port ${port}`);
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
