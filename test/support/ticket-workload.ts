import { Role, TicketStatus } from '@ticketing/contracts';
import type supertest from 'supertest';
import { auth, ticketBody } from './factories';
import type { TestApp, TestUser } from './test-app';

/**
 * A steady mixed write load for the fault suites: each worker walks tickets through their life — created by an
 * END_USER, moved NEW → OPEN → IN_PROGRESS by a MANAGER, commented on by the reporter, RESOLVED, CLOSED — one
 * request at a time, and records every exchange. Each ticket has one writer that knows its status, so a healthy
 * service answers every request with success; after a 503 the worker reads the ticket again before its next move.
 */

export type ExchangeKind = 'create' | 'status' | 'comment' | 'read';

export interface Exchange {
  kind: ExchangeKind;
  ticketId: string | null;
  /** The status asked for (status changes). */
  target: TicketStatus | null;
  startedAt: number;
  durationMs: number;
  status: number;
  body: Record<string, any>;
  headers: Record<string, string>;
}

/** The moves of a ticket's life, by its current status; IN_PROGRESS gets a comment before it is resolved. */
const NEXT_STATUS: Partial<Record<TicketStatus, TicketStatus>> = {
  [TicketStatus.NEW]: TicketStatus.OPEN,
  [TicketStatus.OPEN]: TicketStatus.IN_PROGRESS,
  [TicketStatus.IN_PROGRESS]: TicketStatus.RESOLVED,
  [TicketStatus.RESOLVED]: TicketStatus.CLOSED,
};

interface TicketInHand {
  id: string;
  status: TicketStatus;
  commented: boolean;
  /** The last write may or may not have happened (503): read the ticket before the next one. */
  uncertain: boolean;
}

export class TicketWorkload {
  readonly exchanges: Exchange[] = [];
  private readonly reporter: TestUser;
  private readonly manager: TestUser;
  private running = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly t: TestApp,
    private readonly options: { workers: number; pauseMs: number },
  ) {
    this.reporter = t.user(Role.END_USER);
    this.manager = t.user(Role.MANAGER);
  }

  start(): void {
    this.running = true;
    this.workers = Array.from({ length: this.options.workers }, () => this.work());
  }

  /** Resolves when every worker's last request has been answered. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  /** Exchanges of `kind` (null: of any kind) answered with `status`, started at or after `since`. */
  count(kind: ExchangeKind | null, status: number, since = 0): number {
    return this.exchanges.filter(
      (exchange) =>
        (kind === null || exchange.kind === kind) && exchange.status === status && exchange.startedAt >= since,
    ).length;
  }

  private async work(): Promise<void> {
    let ticket: TicketInHand | null = null;
    while (this.running) {
      ticket = await this.step(ticket);
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
    }
  }

  /** One request; returns the ticket the worker holds afterwards. */
  private async step(ticket: TicketInHand | null): Promise<TicketInHand | null> {
    if (ticket === null) {
      const created = await this.send('create', null, null, (http) =>
        http
          .post('/api/v1/tickets')
          .set(...auth(this.reporter))
          .send(ticketBody()),
      );
      return created.status === 201
        ? { id: created.body.id, status: TicketStatus.NEW, commented: false, uncertain: false }
        : null;
    }
    if (ticket.uncertain) {
      const read = await this.send('read', ticket.id, null, (http) =>
        http.get(`/api/v1/tickets/${ticket.id}`).set(...auth(this.manager)),
      );
      return read.status === 200 ? { ...ticket, status: read.body.status, uncertain: false } : ticket;
    }
    if (ticket.status === TicketStatus.IN_PROGRESS && !ticket.commented) {
      // A 503 may have kept the comment or not; either way the ticket moves on (comments change no status here).
      await this.send('comment', ticket.id, null, (http) =>
        http
          .post(`/api/v1/tickets/${ticket.id}/comments`)
          .set(...auth(this.reporter))
          .send({ content: 'Still failing after the restart of the agent.' }),
      );
      return { ...ticket, commented: true };
    }
    const target = NEXT_STATUS[ticket.status];
    if (target === undefined) return null; // CLOSED: the next worker step opens a new ticket
    const moved = await this.send('status', ticket.id, target, (http) =>
      http
        .patch(`/api/v1/tickets/${ticket.id}/status`)
        .set(...auth(this.manager))
        .send(
          target === TicketStatus.RESOLVED
            ? { status: target, resolution_notes: 'Cleared the disk and raised the alert threshold.' }
            : { status: target },
        ),
    );
    if (moved.status === 200) return { ...ticket, status: target };
    return { ...ticket, uncertain: true };
  }

  private async send(
    kind: ExchangeKind,
    ticketId: string | null,
    target: TicketStatus | null,
    request: (http: supertest.Agent) => supertest.Test,
  ): Promise<Exchange> {
    const startedAt = Date.now();
    const res = await request(this.t.http());
    const exchange: Exchange = {
      kind,
      ticketId: ticketId ?? (kind === 'create' && res.status === 201 ? res.body.id : null),
      target,
      startedAt,
      durationMs: Date.now() - startedAt,
      status: res.status,
      body: res.body as Record<string, any>,
      headers: res.headers,
    };
    this.exchanges.push(exchange);
    return exchange;
  }
}
