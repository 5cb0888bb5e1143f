import { Client, type ClientConfig } from 'pg';

/**
 * A pg Client that always has a listener for 'error'. The pool stops listening to a client when it hands it out,
 * and TypeORM starts listening only a microtask later; a message that ends the session (pg_terminate_backend, a
 * server shutting down) read in the same chunk as the end of the connection handshake is emitted in between,
 * and an 'error' nobody listens to is an exception that ends the process. The error is not lost: pg marks the
 * client unusable, its next query fails (answered 503) and the pool discards it when it is released.
 */
export class GuardedClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', () => undefined);
  }
}
