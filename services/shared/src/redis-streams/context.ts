import { BaseRpcContext } from '@nestjs/microservices';

type Args = [stream: string, entryId: string, group: string, consumer: string];

/** What a handler can ask about the entry it handles, with `@Ctx() ctx: RedisStreamsContext`. */
export class RedisStreamsContext extends BaseRpcContext<Args> {
  getStream(): string {
    return this.args[0];
  }

  /** The stream entry id (e.g. "1700000000000-0"). */
  getEntryId(): string {
    return this.args[1];
  }

  getGroup(): string {
    return this.args[2];
  }

  getConsumer(): string {
    return this.args[3];
  }
}
