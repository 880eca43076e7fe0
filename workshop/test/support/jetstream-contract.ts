/**
 * The reference delivery contract for the JetStream transport's tests: step
 * 4's solution files (the settle function, the durable consumer's config),
 * loaded from solutions/. The transport takes the contract as options and
 * holds none of its own, so its tests run it with the one the workshop
 * teaches. Loaded by path: the files sit in solutions/ as they sit in a
 * learner's tree, and only their type imports point at services/shared.
 */
import { join } from 'node:path';
import type { DurableConfig, Settle } from '../../../services/shared/src/jetstream/index.js';

const DELIVERY = join(
  __dirname,
  '..',
  '..',
  '..',
  'solutions',
  '04-jetstream',
  'services',
  'shared',
  'src',
  'delivery',
);

export interface Contract {
  settle: Settle;
  durableConsumer: (service: string) => DurableConfig;
}

export function referenceContract(): Contract {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { settleAfterWork } = require(join(DELIVERY, 'settle')) as { settleAfterWork: Settle };
  const { durableConsumer } = require(join(DELIVERY, 'durable-consumer')) as Contract;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { settle: settleAfterWork, durableConsumer };
}
