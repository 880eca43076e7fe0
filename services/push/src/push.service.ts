import { Inject, Injectable } from '@nestjs/common';
import { type PushNotification, type UserCreatedEvent } from '../../shared/src/events.js';
import { chaosAroundSend } from '../../shared/src/chaos-hooks.js';
import { logDelivery } from '../../shared/src/delivery-log.js';
import { sendFailed } from '../../shared/src/failure.js';
import { replicaId } from '../../shared/src/replica.js';
import { ProviderClient } from './provider-client.js';
import { PUSH_PROVIDER_URL, PUSH_TIMEOUT_MS } from './push.constants.js';

@Injectable()
export class PushService {
  private readonly replica = replicaId();
  private readonly provider: ProviderClient;

  constructor(@Inject(PUSH_PROVIDER_URL) providerUrl: URL) {
    this.provider = new ProviderClient(providerUrl, PUSH_TIMEOUT_MS);
  }

  /** Sends a welcome notification to the push provider. A failure is one log line, and an error for the transport. */
  async notify(event: UserCreatedEvent): Promise<void> {
    try {
      // WORKSHOP TEST HOOK around the send: a no-op unless a CHAOS_CRASH_* variable is set.
      await chaosAroundSend(() => this.send(event));
    } catch (error) {
      throw sendFailed('push', event.eventId, error);
    }
    logDelivery('push', event);
  }

  private async send(event: UserCreatedEvent): Promise<void> {
    const notification: PushNotification = {
      eventId: event.eventId,
      userId: event.user.id,
      replicaId: this.replica,
      title: 'Welcome!',
      body: `Hello ${event.user.name}, your account is ready.`,
    };
    const answer = await this.provider.postJson('/notifications', notification);
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`push provider answered ${answer.status}: ${answer.text}`);
    }
  }
}
