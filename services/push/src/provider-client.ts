import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** At most this many connections to the provider per replica; further sends wait for one (as the SMTP pool). */
export const PROVIDER_MAX_SOCKETS = 10;

export interface ProviderAnswer {
  status: number;
  /** The start of the answer's body (for a failure's log line). */
  text: string;
}

/**
 * POSTs JSON to the push provider over a few kept-alive connections, with
 * node:http rather than fetch: fetch (undici's WHATWG streams, a parser in
 * WebAssembly, an AbortSignal per call) took about a quarter of a push
 * replica's CPU under the bench's load; a plain request over the same
 * kept-alive connections, a fraction of it. An idle kept-alive connection
 * does not hold the process open (node:http unrefs it), and the agent honours
 * the provider's keep-alive timeout hint, as fetch does.
 */
export class ProviderClient {
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;

  constructor(
    private readonly base: URL,
    private readonly timeoutMs: number,
  ) {
    const https = base.protocol === 'https:';
    const options = { keepAlive: true, maxSockets: PROVIDER_MAX_SOCKETS };
    this.agent = https ? new HttpsAgent(options) : new HttpAgent(options);
    this.request = https ? httpsRequest : httpRequest;
  }

  /** Resolves with the provider's answer; rejects if it cannot be reached or does not answer within timeoutMs. */
  postJson(path: string, body: unknown): Promise<ProviderAnswer> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = this.request(
        new URL(path, this.base),
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
        },
        (res: IncomingMessage) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < 200) text += chunk;
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, text: text.slice(0, 200) });
          });
          res.on('error', fail);
        },
      );
      // The whole exchange, from the request to the answer's last byte, as fetch's AbortSignal.timeout did.
      const timer = setTimeout(
        () => req.destroy(new Error(`the push provider did not answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      function fail(error: Error): void {
        clearTimeout(timer);
        reject(error);
      }
      req.on('error', fail);
      req.end(payload);
    });
  }
}
