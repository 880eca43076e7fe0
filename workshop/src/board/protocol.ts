/**
 * The messages of the delivery board, as the endpoint sends them (feed.ts)
 * and the guide's board reads them (DeliveryBoard.vue): one definition for
 * both ends. Types only, so the guide's bundle takes nothing from here.
 */
import type { LifecycleEvent } from '../runtime/lifecycle';

export type { LifecycleEvent };

export type BoardService = 'mail' | 'push';

export interface BoardDelivery {
  service: BoardService;
  replica: string;
  eventId: string;
  userId: string;
  /** The email's recipient, or the push's user id. */
  to: string;
  /** Milliseconds since the epoch, as the sink stamped it (or when the board saw it). */
  at: number;
}

/** A user created through the board (its buttons, `workshop burst`): the board knows to expect its email and push. */
export interface BoardUser {
  id: string;
  email: string;
  /** When the gateway answered 201, ms since the epoch. */
  at: number;
}

export interface BoardReplica {
  id: string;
  service: string;
  running: boolean;
}

export type BoardMessage =
  | {
      type: 'snapshot';
      deliveries: BoardDelivery[];
      users: BoardUser[];
      replicas: BoardReplica[];
      lifecycle: LifecycleEvent[];
      controls: boolean;
    }
  | { type: 'users'; users: BoardUser[] }
  | { type: 'delivery'; delivery: BoardDelivery }
  | { type: 'lifecycle'; event: LifecycleEvent; replicas: BoardReplica[] }
  | { type: 'cleared'; service: BoardService };
