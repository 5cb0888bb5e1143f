import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { filesUnder } from '../support/attachment-files';
import type { TestApp } from '../support/test-app';
import type { Credential, FuzzRequest, OpenApiArbitraries } from './openapi-arbitraries';
import type { Operation } from '../support/openapi-document';
import type { ReceivedResponse, ResponseContract } from '../support/response-contract';

/** No request may take longer than this to be answered (the app runs in this process, on a loaded machine). */
const ANSWER_TIMEOUT_MS = 20_000;

/**
 * The tables whose rows a refused request must leave exactly as they were (compared by a hash of every row),
 * and the stored attachment files.
 */
const WATCHED_TABLES = [
  'tickets',
  'ticket_history',
  'comments',
  'attachments',
  'teams',
  'team_members',
  'sla_policies',
  'webhook_subscriptions',
  'webhook_deliveries',
  'outbox_events',
  'idempotency_keys',
];

const SNAPSHOT_SQL = `SELECT ${WATCHED_TABLES.map(
  (table) => `(SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM ${table} r) AS ${table}`,
).join(', ')}`;

type Snapshot = Record<string, string>;

/** How the answers of one run were distributed, for the suite's summary. */
export class FuzzStatistics {
  readonly statuses = new Map<string, Map<number, number>>();
  requests = 0;

  record(operationId: string, status: number): void {
    this.requests += 1;
    const counts = this.statuses.get(operationId) ?? new Map<number, number>();
    counts.set(status, (counts.get(status) ?? 0) + 1);
    this.statuses.set(operationId, counts);
  }

  /** `operationId: 200×3 400×40 …`, one line per operation. */
  summary(): string {
    return [...this.statuses]
      .map(([operation, counts]) => {
        const parts = [...counts].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
        return `${operation}: ${parts.join(' ')}`;
      })
      .join('\n');
  }
}

/** The running app as the fuzzer sees it: a listening socket, its database and its attachment store. */
export class FuzzTarget {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  private constructor(
    private readonly t: TestApp,
    private readonly server: http.Server,
    private readonly port: number,
  ) {}

  static async listen(t: TestApp): Promise<FuzzTarget> {
    const server: http.Server = t.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FuzzTarget(t, server, (server.address() as AddressInfo).port);
  }

  async close(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Sends the request as it is (no client-side normalisation) and reads the whole answer. */
  send(request: FuzzRequest): Promise<ReceivedResponse> {
    return new Promise((resolve, reject) => {
      // Repeated names become arrays: Node sends each value on a line of its own.
      const headers: Record<string, string[]> = {};
      for (const [name, value] of request.headers) (headers[name] ??= []).push(value);
      if (request.body !== null) headers['Content-Length'] = [String(request.body.length)];
      const outgoing = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method: request.method.toUpperCase(),
          path: request.path,
          headers,
          agent: this.agent,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () =>
            resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }),
          );
          incoming.on('error', reject);
        },
      );
      outgoing.setTimeout(ANSWER_TIMEOUT_MS, () =>
        outgoing.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)),
      );
      outgoing.on('error', reject);
      outgoing.end(request.body ?? undefined);
    });
  }

  /** A hash of every row of the watched tables, and the list of stored attachment files. */
  async snapshot(): Promise<Snapshot> {
    const [row] = await this.t.dataSource.query<Snapshot[]>(SNAPSHOT_SQL);
    return { ...row, attachment_files: filesUnder(this.t.config.storage.path).join('\n') };
  }
}

/**
 * Spec §3 seen from outside: on a secured operation a valid role token is never refused (401), and nothing else
 * gets past the guard (only the body parser, which runs first, may answer 400 or 413 instead of 401); a public
 * operation ignores credentials.
 */
function authenticationViolations(operation: Operation, credential: Credential, status: number): string[] {
  if (!operation.secured || credential.authenticates) {
    return status === 401 ? [`the ${credential.label} credential was refused`] : [];
  }
  return [400, 401, 413].includes(status) ? [] : [`the ${credential.label} credential got through: ${status}`];
}

/** The request and the answer, short enough to read in a failure report. */
function describeExchange(request: FuzzRequest, response: ReceivedResponse | null, problems: string[]): string {
  const shorten = (text: string) => (text.length > 600 ? `${text.slice(0, 600)}… (${text.length} chars)` : text);
  return [
    ...problems.map((problem) => `✗ ${problem}`),
    `${request.method.toUpperCase()} ${shorten(request.path)}`,
    ...request.headers.map(([name, value]) => `${name}: ${shorten(value)}`),
    request.body === null ? '(no body)' : shorten(JSON.stringify(request.body.toString('utf8'))),
    response === null ? '(no answer)' : `→ ${response.status} ${shorten(response.body.toString('utf8'))}`,
  ].join('\n');
}

export interface FuzzRun {
  target: FuzzTarget;
  contract: ResponseContract;
  arbitraries: OpenApiArbitraries;
  operation: Operation;
  seed: number;
  runs: number;
  statistics: FuzzStatistics;
}

/**
 * Sends `runs` generated requests for one operation and asserts, for every answer: no 5xx, a documented status,
 * the spec's error body on every 4xx, a body matching the document on every 2xx (ResponseContract), spec §3 for
 * the credential sent, and that neither a refused request (4xx) nor a read (GET) changed a watched row or file.
 */
export async function fuzzOperation(run: FuzzRun): Promise<void> {
  const { target, contract, operation, statistics } = run;
  // The state before the next request: still valid after a refused request or a read, re-read after a change.
  let before: Snapshot | null = null;
  const property = fc.asyncProperty(run.arbitraries.request(operation), async (request) => {
    before ??= await target.snapshot();
    let response: ReceivedResponse;
    try {
      response = await target.send(request);
    } catch (error) {
      before = null;
      throw new Error(describeExchange(request, null, [`no answer: ${(error as Error).message}`]), { cause: error });
    }
    statistics.record(operation.id, response.status);
    const problems = [
      ...(response.status >= 500 ? [`answered ${response.status}`] : []),
      ...contract.violations(operation, response),
      ...authenticationViolations(operation, request.credential, response.status),
    ];
    const refused = response.status >= 400 && response.status < 500;
    if (refused || request.method === 'get') {
      const after = await target.snapshot();
      const changed = Object.keys(after).filter((key) => after[key] !== before?.[key]);
      const what = refused ? 'a refused request' : 'a read';
      if (changed.length > 0) problems.push(`${what} changed ${changed.join(', ')}`);
      before = after;
    } else {
      before = null;
    }
    if (problems.length > 0) throw new Error(describeExchange(request, response, problems));
  });
  await fc.assert(property, { seed: run.seed, numRuns: run.runs, endOnFailure: true });
}
