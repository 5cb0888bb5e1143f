import type { TicketEventType } from '@ticketing/contracts';
import { auth } from './factories';
import type { TestApp, TestUser } from './test-app';

export interface FeedEvent {
  id: string;
  type: TicketEventType;
  ticket_id: string;
  actor_id: string | null;
  internal: boolean;
  occurred_at: string;
  data: Record<string, any>;
}

/**
 * The change feed's events matching `wanted`, once at least `expected` of them are served. On a shared
 * PostgreSQL server, running transactions of other sessions (other suites' databases) hold the feed's
 * horizon back for a moment, so this reads again until they appear (bounded).
 */
export async function feedEvents(
  t: TestApp,
  reader: TestUser,
  wanted: (event: FeedEvent) => boolean,
  expected: number,
): Promise<FeedEvent[]> {
  for (let round = 0; ; round++) {
    const events: FeedEvent[] = [];
    for (let cursor = '0:0'; ;) {
      const page = await t
        .http()
        .get('/api/v1/events')
        .query({ after: cursor, limit: 1000 })
        .set(...auth(reader))
        .expect(200);
      if (page.body.items.length === 0) break;
      events.push(...page.body.items);
      cursor = page.body.next_cursor;
    }
    const matching = events.filter(wanted);
    if (matching.length >= expected || round === 100) return matching;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
