import { TicketStatus } from '@ticketing/contracts';
import { describeWithPrevious, planAlertFiring } from './alert-tickets';
import type { Ticket } from './ticket.entity';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const minutesAgo = (n: number) => new Date(NOW.getTime() - n * 60_000);
const windows = { reopenWindowMinutes: 60, ticketReopenWindowDays: 7 };

const ended = (fields: Partial<Ticket>): Ticket =>
  ({ id: 't1', status: TicketStatus.RESOLVED, resolvedAt: null, closedAt: null, ...fields }) as Ticket;

describe('planAlertFiring', () => {
  it('creates the first ticket of a fingerprint', () => {
    expect(planAlertFiring(null, NOW, windows)).toEqual({ kind: 'create', previous: null });
  });

  it('reopens a ticket resolved within the window (the boundary included)', () => {
    const previous = ended({ resolvedAt: minutesAgo(60) });
    expect(planAlertFiring(previous, NOW, windows)).toEqual({ kind: 'reopen', ticket: previous });
  });

  it('opens a new linked ticket when the previous one was resolved longer ago', () => {
    const previous = ended({ resolvedAt: minutesAgo(61) });
    expect(planAlertFiring(previous, NOW, windows)).toEqual({ kind: 'create', previous });
  });

  it('measures from the resolution, not from a later close', () => {
    const previous = ended({ status: TicketStatus.CLOSED, resolvedAt: minutesAgo(90), closedAt: minutesAgo(5) });
    expect(planAlertFiring(previous, NOW, windows).kind).toBe('create');
  });

  it('reopens a ticket closed (without resolution) within the window', () => {
    const previous = ended({ status: TicketStatus.CLOSED, closedAt: minutesAgo(10) });
    expect(planAlertFiring(previous, NOW, windows).kind).toBe('reopen');
  });

  it('never reopens a closed ticket beyond TICKET_REOPEN_WINDOW_DAYS, whatever the alert window', () => {
    const previous = ended({ status: TicketStatus.CLOSED, closedAt: minutesAgo(3 * 24 * 60) });
    expect(planAlertFiring(previous, NOW, { reopenWindowMinutes: 30 * 24 * 60, ticketReopenWindowDays: 2 }).kind).toBe(
      'create',
    );
  });

  it('with a window of 0 minutes always opens a new ticket', () => {
    expect(
      planAlertFiring(ended({ resolvedAt: minutesAgo(1) }), NOW, { ...windows, reopenWindowMinutes: 0 }).kind,
    ).toBe('create');
  });
});

describe('describeWithPrevious', () => {
  it('links the previous ticket by number and id', () => {
    expect(describeWithPrevious('Disk full.', { ticketNumber: 'TKT-000042', id: 'abc' })).toBe(
      'Disk full.\n\nThis alert fired before: previous ticket TKT-000042 (abc).',
    );
    expect(describeWithPrevious('Disk full.', null)).toBe('Disk full.');
  });
});
