import { HistoryChangeType, TicketCategory, TicketPriority, TicketStatus } from '@ticketing/contracts';
import { statusChangeType, ticketChangeEntries } from './ticket-changes';

const base = {
  status: TicketStatus.OPEN,
  priority: TicketPriority.P3,
  assigneeId: null,
  teamId: null,
  resolutionNotes: null,
  responseBreachRecorded: false,
  resolutionBreachRecorded: false,
  title: 'Disk full on build agent',
  description: 'The build agent ran out of disk space.',
  category: TicketCategory.INCIDENT,
  environment: null,
  affectedService: null,
  impactLevel: null,
  tags: ['ci'],
  alertOccurrences: 0,
};

describe('ticket change entries', () => {
  it.each([
    [TicketStatus.RESOLVED, HistoryChangeType.RESOLVED],
    [TicketStatus.CLOSED, HistoryChangeType.CLOSED],
    [TicketStatus.REOPENED, HistoryChangeType.REOPENED],
    [TicketStatus.ESCALATED, HistoryChangeType.ESCALATED],
    [TicketStatus.IN_PROGRESS, HistoryChangeType.STATUS_CHANGE],
    [TicketStatus.PENDING_INFO, HistoryChangeType.STATUS_CHANGE],
    [TicketStatus.OPEN, HistoryChangeType.STATUS_CHANGE],
  ])('maps entering %s to %s', (to, type) => {
    expect(statusChangeType(to)).toBe(type);
  });

  it('writes nothing when nothing audited changed', () => {
    expect(ticketChangeEntries(base, { ...base, tags: ['ci'] })).toEqual([]);
  });

  it('writes one row per changed field with its change type', () => {
    const after = {
      ...base,
      priority: TicketPriority.P1,
      assigneeId: 'a1',
      title: 'Disk full on every build agent',
      tags: ['ci', 'disk'],
    };
    expect(ticketChangeEntries(base, after)).toEqual([
      {
        changeType: HistoryChangeType.PRIORITY_CHANGE,
        fieldName: 'priority',
        oldValue: 'P3',
        newValue: 'P1',
        metadata: {},
      },
      {
        changeType: HistoryChangeType.ASSIGNMENT_CHANGE,
        fieldName: 'assignee_id',
        oldValue: null,
        newValue: 'a1',
        metadata: {},
      },
      {
        changeType: HistoryChangeType.UPDATE,
        fieldName: 'title',
        oldValue: base.title,
        newValue: after.title,
        metadata: {},
      },
      {
        changeType: HistoryChangeType.UPDATE,
        fieldName: 'tags',
        oldValue: '["ci"]',
        newValue: '["ci","disk"]',
        metadata: {},
      },
    ]);
  });

  it('carries the resolution notes on the RESOLVED row', () => {
    const [row] = ticketChangeEntries(base, {
      ...base,
      status: TicketStatus.RESOLVED,
      resolutionNotes: 'Cleaned the cache.',
    });
    expect(row).toEqual({
      changeType: HistoryChangeType.RESOLVED,
      fieldName: 'status',
      oldValue: 'OPEN',
      newValue: 'RESOLVED',
      metadata: { resolution_notes: 'Cleaned the cache.' },
    });
  });

  it('writes one SLA_BREACH row per kind when the scanner records a breach', () => {
    expect(
      ticketChangeEntries(base, { ...base, responseBreachRecorded: true, resolutionBreachRecorded: true }),
    ).toEqual([
      {
        changeType: HistoryChangeType.SLA_BREACH,
        fieldName: null,
        oldValue: null,
        newValue: null,
        metadata: { kind: 'response' },
      },
      {
        changeType: HistoryChangeType.SLA_BREACH,
        fieldName: null,
        oldValue: null,
        newValue: null,
        metadata: { kind: 'resolution' },
      },
    ]);
  });

  it('records a repeat firing of the alert as one UPDATE of alert_occurrences', () => {
    expect(ticketChangeEntries({ ...base, alertOccurrences: 3 }, { ...base, alertOccurrences: 4 })).toEqual([
      {
        changeType: HistoryChangeType.UPDATE,
        fieldName: 'alert_occurrences',
        oldValue: '3',
        newValue: '4',
        metadata: {},
      },
    ]);
  });

  it('records a team move as an assignment change', () => {
    expect(ticketChangeEntries(base, { ...base, teamId: 't1' })[0]).toMatchObject({
      changeType: HistoryChangeType.ASSIGNMENT_CHANGE,
      fieldName: 'team_id',
    });
  });
});
