import { describeMatrix } from './support/permissions/harness';
import { TICKET_MATRIX } from './support/permissions/tickets';

describeMatrix('permission matrix: tickets, their actions and history (spec §7)', TICKET_MATRIX);
