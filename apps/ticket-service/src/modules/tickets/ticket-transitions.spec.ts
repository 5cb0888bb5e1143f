import { DEFAULT_SLA_TARGETS, Role, TicketCategory, TicketPriority, TicketStatus } from '@ticketing/contracts';
import type { Principal } from '../../common/auth/principal';
import { computeDueDates, ROUND_THE_CLOCK } from '../sla';
import { applyCommentToTicket, assertReopenable, hasChanged, moveStatus } from './ticket-transitions';
import { Ticket } from './ticket.entity';

const T0 = new Date('2026-03-02T08:00:00.000Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const reporter: Principal = { id: 'reporter', role: Role.END_USER, username: null, email: null };
const engineer: Principal = { id: 'engineer', role: Role.DEVOPS_ENGINEER, username: null, email: null };

function newTicket(priority: TicketPriority): Ticket {
  const ticket = Object.assign(new Ticket(), {
    title: 'Queue stuck',
    description: 'The deploy queue has not moved since 07:40.',
    category: TicketCategory.INCIDENT,
    priority,
    status: TicketStatus.NEW,
    reporterId: reporter.id,
    assigneeId: null,
    teamId: null,
    tags: [],
    createdAt: T0,
    resolutionClockStartedAt: T0,
    pausedSeconds: 0,
    pendingSince: null,
    firstResponseAt: null,
    resolvedAt: null,
    closedAt: null,
    resolutionNotes: null,
    reopenCount: 0,
  });
  return Object.assign(ticket, computeDueDates(ticket, DEFAULT_SLA_TARGETS[priority], ROUND_THE_CLOCK));
}

describe('ticket life under the SLA rules', () => {
  it('pauses in PENDING_INFO, keeps the pause across a priority change, and restarts on reopen', () => {
    const ticket = newTicket(TicketPriority.P3);
    moveStatus(ticket, {
      to: TicketStatus.IN_PROGRESS,
      by: engineer,
      now: minutes(5),
      slaTarget: null,
      timeline: ROUND_THE_CLOCK,
    });
    expect(ticket.firstResponseAt).toEqual(minutes(5));

    moveStatus(ticket, {
      to: TicketStatus.PENDING_INFO,
      by: engineer,
      now: minutes(60),
      slaTarget: null,
      timeline: ROUND_THE_CLOCK,
    });
    applyCommentToTicket(ticket, reporter, false, minutes(150), ROUND_THE_CLOCK); // the reporter answers after 90 minutes
    expect(ticket.status).toBe(TicketStatus.IN_PROGRESS);
    expect(ticket.pausedSeconds).toBe(90 * 60);
    expect(ticket.resolutionDueAt).toEqual(minutes(72 * 60 + 90));

    // P3 → P1: both due dates from creation with the new targets; the 90 paused minutes stay.
    ticket.priority = TicketPriority.P1;
    Object.assign(ticket, computeDueDates(ticket, DEFAULT_SLA_TARGETS[TicketPriority.P1], ROUND_THE_CLOCK));
    expect(ticket.responseDueAt).toEqual(minutes(60));
    expect(ticket.resolutionDueAt).toEqual(minutes(4 * 60 + 90));

    moveStatus(ticket, {
      to: TicketStatus.RESOLVED,
      by: engineer,
      now: minutes(200),
      slaTarget: null,
      timeline: ROUND_THE_CLOCK,
      resolutionNotes: 'Restarted the queue worker.',
    });
    expect(ticket).toMatchObject({ resolvedAt: minutes(200), resolutionNotes: 'Restarted the queue worker.' });

    moveStatus(ticket, {
      to: TicketStatus.REOPENED,
      by: reporter,
      now: minutes(1000),
      slaTarget: DEFAULT_SLA_TARGETS[TicketPriority.P1],
      timeline: ROUND_THE_CLOCK,
    });
    expect(ticket).toMatchObject({
      reopenCount: 1,
      resolvedAt: null,
      closedAt: null,
      resolutionNotes: null,
      pausedSeconds: 0,
    });
    expect(ticket.resolutionClockStartedAt).toEqual(minutes(1000));
    expect(ticket.resolutionDueAt).toEqual(minutes(1000 + 4 * 60));
    expect(ticket.firstResponseAt).toEqual(minutes(5));
  });

  it('refuses moves outside the workflow, naming the allowed targets', () => {
    const ticket = newTicket(TicketPriority.P2);
    expect(() =>
      moveStatus(ticket, {
        to: TicketStatus.RESOLVED,
        by: engineer,
        now: minutes(1),
        slaTarget: null,
        timeline: ROUND_THE_CLOCK,
      }),
    ).toThrow('Cannot move a NEW ticket to RESOLVED; allowed: OPEN, IN_PROGRESS, CLOSED');
  });

  it('does not count the reporter or an internal note as the first response', () => {
    const ticket = newTicket(TicketPriority.P2);
    applyCommentToTicket(ticket, reporter, false, minutes(1), ROUND_THE_CLOCK);
    applyCommentToTicket(ticket, engineer, true, minutes(2), ROUND_THE_CLOCK);
    expect(ticket.firstResponseAt).toBeNull();
    applyCommentToTicket(ticket, engineer, false, minutes(3), ROUND_THE_CLOCK);
    expect(ticket.firstResponseAt).toEqual(minutes(3));
  });

  it('closes the reopen window after the configured days', () => {
    const closed = { status: TicketStatus.CLOSED, closedAt: T0 };
    expect(() => assertReopenable(closed, minutes(7 * 24 * 60), 7)).not.toThrow();
    expect(() => assertReopenable(closed, minutes(7 * 24 * 60 + 1), 7)).toThrow(/closed more than 7 days ago/);
  });

  it('detects whether anything changed', () => {
    const ticket = newTicket(TicketPriority.P3);
    const copy: Ticket = { ...ticket, tags: [...ticket.tags], createdAt: new Date(ticket.createdAt) };
    expect(hasChanged(copy, ticket)).toBe(false);
    ticket.tags = ['new'];
    expect(hasChanged(copy, ticket)).toBe(true);
  });
});
