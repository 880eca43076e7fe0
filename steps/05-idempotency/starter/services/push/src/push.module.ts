import { Module } from '@nestjs/common';
import { requireUrl } from '../../shared/src/env.js';
import { PushController } from './push.controller.js';
import { PUSH_PROVIDER_URL } from './push.constants.js';
import { PushService } from './push.service.js';

@Module({
  imports: [], // TODO: push handles each event once: its handlers go through the guard you write in services/shared/src/idempotency/handle-once.ts, with records of its own in Redis, apart from mail's
  controllers: [PushController],
  providers: [
    PushService,
    { provide: PUSH_PROVIDER_URL, useFactory: () => requireUrl('PUSH_SINK_URL', ['http:', 'https:']) },
  ],
})
export class PushModule {}
