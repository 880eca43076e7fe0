/**
 * What a handler can inject with @Ctx() when it runs under JetStreamServer:
 * the subject, the headers, and the JetStream delivery info (which delivery
 * of the message this is, its stream sequence).
 */
import { BaseRpcContext } from '@nestjs/microservices';
import type { JsMsg } from '@nats-io/jetstream';

export class JetStreamContext extends BaseRpcContext<[JsMsg]> {
  /** The raw JetStream message. Do not answer it (ack, nak...) here: the service's settle does, once the handler is done. */
  getMessage(): JsMsg {
    return this.args[0];
  }

  getSubject(): string {
    return this.args[0].subject;
  }

  getHeaders(): JsMsg['headers'] {
    return this.args[0].headers;
  }

  /** 1 on the first delivery, 2+ on redeliveries. */
  getDeliveryCount(): number {
    return this.args[0].info.deliveryCount;
  }
}
