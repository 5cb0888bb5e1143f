import { DEFAULT_SLA_TARGETS, Role, SlaClockType, TicketPriority } from '@ticketing/contracts';
import { auth } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The initial migration seeds sla_policies with literal minutes, while clients read the defaults from
 * @ticketing/contracts: on a fresh database both must say the same for every priority.
 */
describe('SLA defaults', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  /** DEFAULT_SLA_TARGETS as policy rows, in priority order. */
  const defaultPolicies = Object.values(TicketPriority).map((priority) => ({
    priority,
    response_minutes: DEFAULT_SLA_TARGETS[priority].responseMinutes,
    resolution_minutes: DEFAULT_SLA_TARGETS[priority].resolutionMinutes,
  }));

  it('stores DEFAULT_SLA_TARGETS as the sla_policies rows of a freshly migrated database', async () => {
    const rows = await t.dataSource.query<{ priority: string; response_minutes: number; resolution_minutes: number }[]>(
      'SELECT priority, response_minutes, resolution_minutes FROM sla_policies',
    );
    const byPriority = (a: { priority: string }, b: { priority: string }) => a.priority.localeCompare(b.priority);
    expect([...rows].sort(byPriority)).toEqual([...defaultPolicies].sort(byPriority));
  });

  it('serves exactly DEFAULT_SLA_TARGETS from GET /api/v1/sla/policies', async () => {
    const res = await t
      .http()
      .get('/api/v1/sla/policies')
      .set(...auth(t.user(Role.END_USER)))
      .expect(200);
    expect(res.body).toEqual({
      // The business-hours migration keeps every policy on the 24x7 clock (README, "Business-hours SLA").
      items: defaultPolicies.map((policy) => ({
        ...policy,
        clock: SlaClockType.ROUND_THE_CLOCK,
        updated_at: expect.any(String),
      })),
    });
  });
});
