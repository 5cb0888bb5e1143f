import { TicketStatus } from './enums';
import { allowedTransitions, canTransition, STATUS_TRANSITIONS } from './workflow';

const S = TicketStatus;

describe('status workflow (spec §5)', () => {
  const table: Record<TicketStatus, TicketStatus[]> = {
    [S.NEW]: [S.OPEN, S.IN_PROGRESS, S.CLOSED],
    [S.OPEN]: [S.IN_PROGRESS, S.PENDING_INFO, S.RESOLVED, S.CLOSED],
    [S.IN_PROGRESS]: [S.PENDING_INFO, S.RESOLVED, S.ESCALATED, S.OPEN],
    [S.PENDING_INFO]: [S.IN_PROGRESS, S.OPEN, S.CLOSED],
    [S.RESOLVED]: [S.CLOSED, S.REOPENED],
    [S.CLOSED]: [S.REOPENED],
    [S.REOPENED]: [S.OPEN, S.IN_PROGRESS, S.RESOLVED],
    [S.ESCALATED]: [S.IN_PROGRESS, S.RESOLVED, S.CLOSED],
  };

  it('holds exactly the spec table', () => {
    expect(STATUS_TRANSITIONS).toEqual(table);
  });

  it('answers every pair: allowed only when listed, never to the same status', () => {
    for (const from of Object.values(S)) {
      expect(allowedTransitions(from)).toEqual(table[from]);
      for (const to of Object.values(S)) {
        expect([from, to, canTransition(from, to)]).toEqual([from, to, table[from].includes(to)]);
      }
      expect(canTransition(from, from)).toBe(false);
    }
  });
});
