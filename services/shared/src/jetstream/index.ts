/**
 * JetStream for NestJS, in two pieces: a transport strategy that consumes, a
 * client that publishes. The delivery contract (which stream, which durable,
 * how each delivery is answered) is the service's, passed in as options.
 */
export { JetStreamServer, type JetStreamServerOptions } from './server.js';
export { JetStreamClient, type JetStreamClientOptions } from './client.js';
export { JetStreamContext } from './context.js';
export { ensureStream, streamConfig, type StreamSpec } from './stream.js';
export type { DurableConfig } from './durable.js';
export type { Delivery, Settle } from './delivery.js';
