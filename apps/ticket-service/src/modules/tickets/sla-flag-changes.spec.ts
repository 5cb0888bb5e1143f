import { TicketCategory, TicketEventType, TicketPriority, TicketStatus } from '@ticketing/contracts';
import { type ScannedTicket, type SlaFlags, slaBreachEntries, slaFlagChange } from './sla-flag-changes';
import { ticketChangeEntries } from './ticket-changes';

const T0 = new Date('2026-05-04T08:00:00.000Z');
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000);

const unflagged: SlaFlags = {
  responseBreachRecorded: false,
  resolutionBreachRecorded: false,
  responseWarningRecorded: false,
  resolutionWarningRecorded: false,
};

/** A P1 ticket created at T0 (response due after 1 h, resolution after 4 h), unanswered. */
const ticket: ScannedTicket = {
  id: '00000000-0000-4000-8000-000000000001',
  pendingSince: null,
  responseDueAt: hours(1),
  resolutionDueAt: hours(4),
  responseWarningAt: new Date(T0.getTime() + 0.8 * 3_600_000),
  resolutionWarningAt: new Date(T0.getTime() + 0.8 * 4 * 3_600_000),
  firstResponseAt: null,
  resolvedAt: null,
  ...unflagged,
};

describe('SLA flag changes of the breach scanner', () => {
  const audited = {
    status: TicketStatus.OPEN,
    priority: TicketPriority.P1,
    assigneeId: null,
    teamId: null,
    resolutionNotes: null,
    title: 'Disk full on build agent',
    description: 'The build agent ran out of disk space.',
    category: TicketCategory.INCIDENT,
    environment: null,
    affectedService: null,
    impactLevel: null,
    tags: [],
    alertOccurrences: 0,
  };
  const flagSets: SlaFlags[] = [0, 1, 2, 3].map((bits) => ({
    ...unflagged,
    responseBreachRecorded: (bits & 1) !== 0,
    resolutionBreachRecorded: (bits & 2) !== 0,
  }));

  it.each(flagSets.flatMap((before) => flagSets.map((after) => [before, after])))(
    'writes the SLA_BREACH rows a save of the same flags gets (%o → %o)',
    (before, after) => {
      expect(slaBreachEntries(before, after)).toEqual(
        ticketChangeEntries({ ...audited, ...before }, { ...audited, ...after }),
      );
    },
  );

  it('records nothing before 80% of a target, and nothing already recorded', () => {
    expect(slaFlagChange(ticket, hours(0.5), null)).toBeNull();
    expect(slaFlagChange({ ...ticket, responseWarningRecorded: true }, hours(0.9), null)).toBeNull();
  });

  it('records a breach and a warning of one scan as one change, breaches first', () => {
    expect(slaFlagChange({ ...ticket, responseWarningRecorded: true }, hours(3.5), 'n')).toEqual({
      ticketId: ticket.id,
      flags: {
        ...unflagged,
        responseWarningRecorded: true,
        responseBreachRecorded: true,
        resolutionWarningRecorded: true,
      },
      entries: slaBreachEntries(unflagged, { ...unflagged, responseBreachRecorded: true }),
      events: [
        { type: TicketEventType.SLA_BREACHED, data: { kind: 'response' } },
        { type: TicketEventType.SLA_WARNING, data: { kind: 'resolution' } },
      ],
    });
  });

  it('records a late answer as a response breach', () => {
    const change = slaFlagChange({ ...ticket, firstResponseAt: hours(2) }, hours(3), null);
    expect(change?.flags).toEqual({ ...unflagged, responseBreachRecorded: true });
  });
});
