import { ErrorCode, TicketStatus } from '@ticketing/contracts';
import type { DomainError } from '../../../common/errors/domain-error';
import { assertMergeable } from './merge-rules';

const ticket = (number: number, facts: { status?: TicketStatus; mergedIntoId?: string | null } = {}) => ({
  id: `id-${number}`,
  ticketNumber: number,
  status: facts.status ?? TicketStatus.OPEN,
  mergedIntoId: facts.mergedIntoId ?? null,
});

const refusal = (run: () => void): Pick<DomainError, 'code' | 'detail'> | null => {
  try {
    run();
    return null;
  } catch (error) {
    return error as DomainError;
  }
};

describe('assertMergeable', () => {
  it('lets an open ticket merge into another open one', () => {
    expect(refusal(() => assertMergeable(ticket(1), ticket(2, { status: TicketStatus.RESOLVED })))).toBeNull();
  });

  it('refuses a source that was merged already (the loser of a race), naming where it went', () => {
    const merged = ticket(1, { status: TicketStatus.CLOSED, mergedIntoId: 'id-9' });
    expect(refusal(() => assertMergeable(merged, ticket(2)))).toMatchObject({
      code: ErrorCode.CONFLICT,
      detail: expect.stringContaining('id-9'),
    });
  });

  it('refuses a closed source and a closed target', () => {
    expect(refusal(() => assertMergeable(ticket(1, { status: TicketStatus.CLOSED }), ticket(2)))).toMatchObject({
      code: ErrorCode.TICKET_CLOSED,
    });
    expect(refusal(() => assertMergeable(ticket(1), ticket(2, { status: TicketStatus.CLOSED })))).toMatchObject({
      code: ErrorCode.TICKET_CLOSED,
      detail: expect.stringContaining('TKT-000002'),
    });
  });

  it('refuses a chain: merging into a ticket that was merged itself', () => {
    const target = ticket(2, { status: TicketStatus.CLOSED, mergedIntoId: 'id-1' });
    expect(refusal(() => assertMergeable(ticket(1), target))).toMatchObject({ code: ErrorCode.CONFLICT });
  });
});
