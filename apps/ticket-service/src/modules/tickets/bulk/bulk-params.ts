import { BulkTicketAction } from '@ticketing/contracts';
import { DomainError, type FieldError } from '../../../common/errors/domain-error';
import type { BulkTicketsDto } from './bulk-tickets.dto';

type Param = 'status' | 'notes' | 'resolution_notes' | 'assignee_id' | 'team_id' | 'priority' | 'add' | 'remove';

/** The parameters each action takes (those of its single endpoint); `required` ones must be sent (null counts). */
const ACTION_PARAMS: Readonly<Record<BulkTicketAction, { required: readonly Param[]; optional: readonly Param[] }>> = {
  [BulkTicketAction.STATUS]: { required: ['status'], optional: ['notes', 'resolution_notes'] },
  [BulkTicketAction.ASSIGN]: { required: ['assignee_id'], optional: ['team_id', 'notes'] },
  [BulkTicketAction.PRIORITY]: { required: ['priority'], optional: [] },
  [BulkTicketAction.TAGS]: { required: [], optional: ['add', 'remove'] },
  [BulkTicketAction.TEAM]: { required: ['team_id'], optional: [] },
};

const ALL_PARAMS: readonly Param[] = [
  'status',
  'notes',
  'resolution_notes',
  'assignee_id',
  'team_id',
  'priority',
  'add',
  'remove',
];

/**
 * A bulk request is refused as a whole (400, nothing changed) when its parameters do not fit its action or its
 * versions name tickets it does not list: those are mistakes of the request, not of one ticket.
 */
export function assertBulkParams(input: BulkTicketsDto): void {
  const { required, optional } = ACTION_PARAMS[input.action];
  const errors: FieldError[] = [];
  for (const param of required) {
    if (input[param] === undefined) errors.push({ field: param, message: `required by action ${input.action}` });
  }
  for (const param of ALL_PARAMS) {
    if (input[param] !== undefined && !required.includes(param) && !optional.includes(param))
      errors.push({ field: param, message: `not a parameter of action ${input.action}` });
  }
  if (input.action === BulkTicketAction.TAGS && !input.add?.length && !input.remove?.length)
    errors.push({ field: 'add', message: 'action tags needs tags to add or to remove' });
  const ids = new Set(input.ids);
  for (const [id, version] of Object.entries(input.versions ?? {})) {
    if (!ids.has(id.toLowerCase())) errors.push({ field: `versions.${id}`, message: 'not one of ids' });
    if (!Number.isInteger(version) || version < 1)
      errors.push({ field: `versions.${id}`, message: 'must be a positive integer' });
  }
  if (errors.length > 0) throw DomainError.validation('The parameters do not fit the action', errors);
}

/** The expected version of one ticket of the request, keyed case-insensitively like the ids. */
export function expectedVersionOf(input: BulkTicketsDto, id: string): number | null {
  for (const [key, version] of Object.entries(input.versions ?? {})) if (key.toLowerCase() === id) return version;
  return null;
}
