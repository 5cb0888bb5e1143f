import { Injectable } from '@nestjs/common';
import { PluginRegistry } from '../../common/ports/plugin-registry';

/**
 * Text that belongs to a ticket but lives in another module's table (comments): `q` matches it too.
 * The owning module contributes a subquery over its own table, so the tickets module never names it.
 */
export interface TicketTextSource {
  /** `SELECT <ticket id> …` of the rows matching `:q` (a websearch query) that the caller may see. */
  matchingTicketIdsSql(options: { includeInternal: boolean }): string;
}

@Injectable()
export class TicketTextSources extends PluginRegistry<TicketTextSource> {}
