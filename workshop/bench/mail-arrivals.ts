/**
 * When each email reached MailDev, to the millisecond: MailDev announces
 * every email it stores on its web socket (the inbox UI listens there too);
 * the bench listens and stamps the arrival. (MailDev's own `time` is the
 * email's Date header: whole seconds, and set by the sender.)
 */
import { io, type Socket } from 'socket.io-client';

interface NewMail {
  id: string;
  to?: { address: string }[];
}

export interface Arrival {
  /** MailDev's id of the email (as its API lists it). */
  id: string;
  to: string;
  at: number;
}

export class MailArrivals {
  private readonly arrivals: Arrival[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('newMail', (mail: NewMail) => {
      this.arrivals.push({
        id: mail.id,
        to: (mail.to ?? []).map((t) => t.address).join(','),
        at: performance.timeOrigin + performance.now(),
      });
    });
  }

  /** Connects to MailDev 3's socket.io endpoint and resolves once it is listening. */
  static async connect(mailDevUrl: string): Promise<MailArrivals> {
    const socket = io(mailDevUrl, { path: '/socket.io', transports: ['websocket'], reconnection: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`MailDev's web socket at ${mailDevUrl} did not answer`)), 10_000);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return new MailArrivals(socket);
  }

  /** The arrivals since the last reset. */
  list(): Arrival[] {
    return [...this.arrivals];
  }

  reset(): void {
    this.arrivals.length = 0;
  }

  close(): void {
    this.socket.close();
  }
}
