import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './generated/openapi';

export interface TicketClientOptions {
  /** Origin of the service, e.g. `http://localhost:8002`. */
  baseUrl: string;
  /** A bearer access token; omit for the public endpoints. */
  token?: string;
  /** Custom fetch (tests, retries, proxies). Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
}

export type TicketClient = Client<paths>;

/** A typed client of the ticket service's REST API, generated from its OpenAPI document. */
export function createTicketClient(options: TicketClientOptions): TicketClient {
  return createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    headers: options.token ? { Authorization: `Bearer ${options.token}` } : undefined,
  });
}
