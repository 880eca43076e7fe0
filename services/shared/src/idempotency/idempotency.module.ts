/**
 * `IdempotencyModule.forConsumer('mail')` in a consumer's module gives it the
 * Redis store (REDIS_URL) and the IdempotentConsumer interceptor, with keys
 * namespaced by the consumer's name.
 */
import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { IDEMPOTENCY_SCOPE, IdempotentConsumer } from './interceptor.js';
import { IdempotencyStore, type IdempotencyOptions } from './store.js';

@Module({})
export class IdempotencyModule implements OnApplicationShutdown {
  constructor(private readonly store: IdempotencyStore) {}

  static forConsumer(scope: string, options?: IdempotencyOptions): DynamicModule {
    return {
      module: IdempotencyModule,
      providers: [
        { provide: IDEMPOTENCY_SCOPE, useValue: scope },
        // A factory, so REDIS_URL is read (and validated) when the app starts.
        { provide: IdempotencyStore, useFactory: () => IdempotencyStore.fromEnv(options) },
        IdempotentConsumer,
      ],
      exports: [IDEMPOTENCY_SCOPE, IdempotencyStore, IdempotentConsumer],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
