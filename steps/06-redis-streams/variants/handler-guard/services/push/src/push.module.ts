import { Module } from '@nestjs/common';
import { requireUrl } from '../../shared/src/env.js';
import { IdempotencyModule } from '../../shared/src/idempotency/index.js';
import { PushController } from './push.controller.js';
import { PUSH_PROVIDER_URL } from './push.constants.js';
import { PushService } from './push.service.js';

@Module({
  // Redis (REDIS_URL) remembers which events push has handled; keys are namespaced 'push', apart from mail's.
  imports: [IdempotencyModule.forConsumer('push')],
  controllers: [PushController],
  providers: [
    PushService,
    { provide: PUSH_PROVIDER_URL, useFactory: () => requireUrl('PUSH_SINK_URL', ['http:', 'https:']) },
  ],
})
export class PushModule {}
