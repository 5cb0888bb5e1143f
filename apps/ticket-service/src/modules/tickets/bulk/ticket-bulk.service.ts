import { Injectable, Logger } from '@nestjs/common';
import { BulkTicketAction, ErrorCode } from '@ticketing/contracts';
import type { Principal } from '../../../common/auth/principal';
import { httpStatusOf } from '../../../common/errors/error-status';
import { toDomainError } from '../../../common/errors/to-domain-error';
import { serializeError } from '../../../common/logging/serialize-error';
import type { TicketDto } from '../dto/ticket.dto';
import { assertStatusInput, type ExpectedVersion, TicketsService } from '../tickets.service';
import { assertBulkParams, expectedVersionOf } from './bulk-params';
import type { BulkItemResultDto, BulkTicketsDto, BulkTicketsResultDto } from './bulk-tickets.dto';

/**
 * Tickets changed at the same time, each in its own transaction (and CLS context): on PostgreSQL they use several
 * pool connections; the embedded database queues them on its one.
 */
const BULK_CONCURRENCY = 4;

type SingleChange = (principal: Principal, id: string, expected: ExpectedVersion) => Promise<TicketDto>;

/**
 * One action on many tickets: each ticket goes through the single endpoint's service method, so the same access
 * policy, workflow, If-Match, history and events apply, each in its own transaction; a refusal is that ticket's
 * result and never stops the others. Answers come in request order whatever order the tickets finish in.
 */
@Injectable()
export class TicketBulkService {
  private readonly logger = new Logger('TicketBulk');

  constructor(private readonly tickets: TicketsService) {}

  async apply(principal: Principal, input: BulkTicketsDto): Promise<BulkTicketsResultDto> {
    assertBulkParams(input);
    const change = this.singleChange(input);
    const results: BulkItemResultDto[] = new Array<BulkItemResultDto>(input.ids.length);
    let next = 0;
    const worker = async () => {
      while (next < input.ids.length) {
        const index = next++;
        results[index] = await this.applyOne(
          change,
          principal,
          input.ids[index],
          expectedVersionOf(input, input.ids[index]),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(BULK_CONCURRENCY, input.ids.length) }, worker));
    return { results };
  }

  private async applyOne(
    change: SingleChange,
    principal: Principal,
    id: string,
    expected: ExpectedVersion,
  ): Promise<BulkItemResultDto> {
    try {
      return { id, status: 200, ticket: await change(principal, id, expected) };
    } catch (error) {
      return this.refusal(id, error);
    }
  }

  /** The single endpoint's operation the action stands for; request-wide checks (a status's notes) run once here. */
  private singleChange(input: BulkTicketsDto): SingleChange {
    switch (input.action) {
      case BulkTicketAction.STATUS: {
        const body = { status: input.status!, notes: input.notes, resolution_notes: input.resolution_notes };
        assertStatusInput(body);
        return (principal, id, expected) => this.tickets.changeStatus(principal, id, body, expected);
      }
      case BulkTicketAction.ASSIGN: {
        const body = { assignee_id: input.assignee_id ?? null, team_id: input.team_id, notes: input.notes };
        return (principal, id, expected) => this.tickets.assign(principal, id, body, expected);
      }
      case BulkTicketAction.PRIORITY:
        return (principal, id, expected) => this.tickets.patch(principal, id, { priority: input.priority }, expected);
      case BulkTicketAction.TEAM:
        return (principal, id, expected) => this.tickets.patch(principal, id, { team_id: input.team_id }, expected);
      case BulkTicketAction.TAGS: {
        const tags = { add: input.add ?? [], remove: input.remove ?? [] };
        return (principal, id, expected) => this.tickets.changeTags(principal, id, tags, expected);
      }
    }
  }

  /** What the single endpoint would have answered; an unexpected error is logged and this item's 500. */
  private refusal(id: string, error: unknown): BulkItemResultDto {
    const known = toDomainError(error);
    if (!known) {
      this.logger.error({ ticketId: id, err: serializeError(error) }, 'unhandled error in a bulk item');
      return { id, status: 500, error_code: ErrorCode.INTERNAL_ERROR, detail: 'An unexpected error occurred' };
    }
    return { id, status: httpStatusOf(known.code), error_code: known.code, detail: known.detail };
  }
}
