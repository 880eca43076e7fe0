/**
 * Makes an event handler idempotent on the event's id:
 *
 *   @EventPattern(USER_CREATED)
 *   @UseInterceptors(IdempotentConsumer)
 *   onUserCreated(@Payload() event: UserCreatedEvent) { ... }
 *
 * A redelivered event that this consumer already handled is skipped (and so
 * acked); one being handled elsewhere is refused for now (nak'ed, retried
 * after the claim's lease). The scheme is in store.ts.
 */
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, lastValueFrom, map, type Observable } from 'rxjs';
import { logEvent } from '../replica.js';
import { IdempotencyStore } from './store.js';

/** Injection token of the consumer's name: the keys' namespace (mail and push each handle every event once). */
export const IDEMPOTENCY_SCOPE = 'IDEMPOTENCY_SCOPE';

@Injectable()
export class IdempotentConsumer implements NestInterceptor {
  constructor(
    private readonly store: IdempotencyStore,
    @Inject(IDEMPOTENCY_SCOPE) private readonly scope: string,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const data: unknown = context.switchToRpc().getData();
    const eventId = data && typeof data === 'object' && 'eventId' in data ? data.eventId : undefined;
    if (typeof eventId !== 'string' || eventId === '') {
      logEvent(`event without an eventId: handled, but not idempotently`);
      return next.handle();
    }
    const key = this.store.key(this.scope, eventId);
    return from(this.store.once(key, () => lastValueFrom(next.handle(), { defaultValue: undefined }))).pipe(
      map((result) => {
        if (result.ran) return result.value;
        logEvent(`${eventId} already handled by ${result.by}: skipped (a redelivery)`);
        return undefined;
      }),
    );
  }
}
