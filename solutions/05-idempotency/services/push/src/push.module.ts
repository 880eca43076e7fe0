import { Module } from '@nestjs/common';
import { requireUrl } from '../../shared/src/env.js';
import { handleOnce } from '../../shared/src/idempotency/handle-once.js';
import { IdempotencyModule } from '../../shared/src/idempotency/index.js';
import { PushController } from './push.controller.js';
import { PUSH_PROVIDER_URL } from './push.constants.js';
import { PushService } from './push.service.js';

@Module({
  // Each event once: every handler goes through the guard, with push's own records in Redis, apart from mail's.
  imports: [IdempotencyModule.forConsumer('push', handleOnce)],
  controllers: [PushController],
  providers: [
    PushService,
    { provide: PUSH_PROVIDER_URL, useFactory: () => requireUrl('PUSH_SINK_URL', ['http:', 'https:']) },
  ],
})
export class PushModule {}
