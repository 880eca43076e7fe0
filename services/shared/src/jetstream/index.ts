/** JetStream for NestJS, in two pieces: a transport strategy that consumes, a client that publishes. */
export { JetStreamServer, type JetStreamServerOptions } from './server.js';
export { JetStreamClient, type JetStreamClientOptions } from './client.js';
export { JetStreamContext } from './context.js';
export { USER_EVENTS_STREAM, ensureStream, streamConfig, type StreamSpec } from './stream.js';
