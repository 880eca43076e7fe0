/**
 * `IdempotencyModule.forConsumer('mail', guard)` in a consumer's module runs
 * each of its event handlers through `guard` (see guard.ts), with a Redis
 * connection (REDIS_URL) and the settings read from the environment.
 */
import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { ConfigError } from '../env.js';
import { replicaId } from '../replica.js';
import { redisFromEnv } from './connection.js';
import type { IdempotencyGuard } from './guard.js';
import {
  IDEMPOTENCY_GUARD,
  IDEMPOTENCY_REDIS,
  IDEMPOTENCY_SETTINGS,
  IdempotentConsumer,
  type GuardSettings,
} from './interceptor.js';

const DEFAULT_LEASE_MS = 90_000;
const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;

@Module({})
export class IdempotencyModule implements OnApplicationShutdown {
  constructor(@Inject(IDEMPOTENCY_REDIS) private readonly redis: Redis) {}

  /** `service` names this consumer's records, apart from every other service's. */
  static forConsumer(service: string, guard: IdempotencyGuard): DynamicModule {
    return {
      module: IdempotencyModule,
      providers: [
        { provide: IDEMPOTENCY_GUARD, useValue: guard },
        // Factories, so that REDIS_URL and the settings are read (and validated) when the app starts.
        { provide: IDEMPOTENCY_REDIS, useFactory: redisFromEnv },
        { provide: IDEMPOTENCY_SETTINGS, useFactory: (): GuardSettings => settingsFromEnv(service) },
        // Every handler of the service goes through the guard.
        { provide: APP_INTERCEPTOR, useClass: IdempotentConsumer },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function settingsFromEnv(service: string): GuardSettings {
  return {
    service,
    replica: replicaId(),
    leaseMs: envMs('IDEMPOTENCY_LEASE_MS') ?? DEFAULT_LEASE_MS,
    retentionMs: envMs('IDEMPOTENCY_RETENTION_MS') ?? DEFAULT_RETENTION_MS,
  };
}

function envMs(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new ConfigError(`${name} must be a positive number of ms, got "${raw}"`);
  return value;
}
