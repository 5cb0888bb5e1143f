import { BulkTicketAction, TicketStatus } from '@ticketing/contracts';
import type { DomainError } from '../../../common/errors/domain-error';
import type { BulkTicketsDto } from './bulk-tickets.dto';
import { assertBulkParams, expectedVersionOf } from './bulk-params';

const A = '3f1c1f0e-8d4b-4b43-9f43-2f6f2c1e1a11';
const B = '7a0d4c55-1b9e-4b8e-8a55-0c4c7d2b9e22';

const fieldsOf = (input: Partial<BulkTicketsDto>): string[] => {
  try {
    assertBulkParams({ ids: [A, B], ...input } as BulkTicketsDto);
    return [];
  } catch (error) {
    return ((error as DomainError).options.errors ?? []).map((e) => e.field);
  }
};

describe('bulk parameters', () => {
  it('accepts the parameters of each action', () => {
    expect(fieldsOf({ action: BulkTicketAction.STATUS, status: TicketStatus.OPEN, notes: 'triage' })).toEqual([]);
    expect(fieldsOf({ action: BulkTicketAction.ASSIGN, assignee_id: null, team_id: A })).toEqual([]);
    expect(fieldsOf({ action: BulkTicketAction.TEAM, team_id: null })).toEqual([]);
    expect(fieldsOf({ action: BulkTicketAction.TAGS, remove: ['db'] })).toEqual([]);
  });

  it('names missing and foreign parameters', () => {
    expect(fieldsOf({ action: BulkTicketAction.STATUS })).toEqual(['status']);
    expect(fieldsOf({ action: BulkTicketAction.PRIORITY, status: TicketStatus.OPEN })).toEqual(['priority', 'status']);
    expect(fieldsOf({ action: BulkTicketAction.TAGS, add: [] })).toEqual(['add']);
    expect(fieldsOf({ action: BulkTicketAction.TEAM, team_id: null, add: ['x'] })).toEqual(['add']);
  });

  it('refuses versions of tickets the request does not list, or that are no versions', () => {
    const fields = fieldsOf({
      action: BulkTicketAction.TEAM,
      team_id: null,
      versions: { [A]: 2, 'd1e0b7a2-0000-4000-8000-000000000000': 1, [B]: 0 },
    });
    expect(fields).toEqual(['versions.d1e0b7a2-0000-4000-8000-000000000000', `versions.${B}`]);
  });

  it('reads the expected version of an id whatever the case of its key', () => {
    const input = { ids: [A], action: BulkTicketAction.TEAM, versions: { [A.toUpperCase()]: 3 } } as BulkTicketsDto;
    expect(expectedVersionOf(input, A)).toBe(3);
    expect(expectedVersionOf(input, B)).toBeNull();
  });
});
