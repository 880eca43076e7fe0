import { Module } from '@nestjs/common';
import { requireUrl } from '../../shared/src/env.js';
import { PushController } from './push.controller.js';
import { PUSH_PROVIDER_URL } from './push.constants.js';
import { PushService } from './push.service.js';

@Module({
  imports: [], // TODO: a record of the events push handled (services/shared/src/idempotency), apart from the other service's
  controllers: [PushController],
  providers: [
    PushService,
    { provide: PUSH_PROVIDER_URL, useFactory: () => requireUrl('PUSH_SINK_URL', ['http:', 'https:']) },
  ],
})
export class PushModule {}
