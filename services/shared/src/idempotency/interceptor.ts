/**
 * Runs every event handler of the consumer through its idempotency guard
 * (guard.ts), keyed on the event's eventId. IdempotencyModule installs it for
 * the whole service, so the controllers stay as they are.
 */
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { lastValueFrom, type Observable, from } from 'rxjs';
import { logEvent } from '../replica.js';
import type { GuardContext, IdempotencyGuard } from './guard.js';

/** Injection tokens of the module's parts. */
export const IDEMPOTENCY_GUARD = 'IDEMPOTENCY_GUARD';
export const IDEMPOTENCY_REDIS = 'IDEMPOTENCY_REDIS';
export const IDEMPOTENCY_SETTINGS = 'IDEMPOTENCY_SETTINGS';

/** The context's fields that are the same for every event of the replica. */
export type GuardSettings = Omit<GuardContext, 'redis' | 'eventId'>;

@Injectable()
export class IdempotentConsumer implements NestInterceptor {
  constructor(
    @Inject(IDEMPOTENCY_GUARD) private readonly guard: IdempotencyGuard,
    @Inject(IDEMPOTENCY_REDIS) private readonly redis: Redis,
    @Inject(IDEMPOTENCY_SETTINGS) private readonly settings: GuardSettings,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const data: unknown = context.switchToRpc().getData();
    const eventId = data && typeof data === 'object' && 'eventId' in data ? data.eventId : undefined;
    if (typeof eventId !== 'string' || eventId === '') {
      logEvent(`event without an eventId: handled, but not idempotently`);
      return next.handle();
    }
    let ran = false;
    const work = async () => {
      ran = true;
      await lastValueFrom(next.handle(), { defaultValue: undefined });
    };
    return from(
      this.guard({ ...this.settings, redis: this.redis, eventId }, work).then(() => {
        // The guard resolved without the work: the event had been handled already (a redelivery). Acked.
        if (!ran) logEvent(`${this.settings.service}: event ${eventId} already handled: skipped, acked`);
      }),
    );
  }
}
