import { randomUUID } from 'node:crypto';
import { Role } from '@ticketing/contracts';
import { BusinessHoursSla1765072800000 } from '../migrations/1765072800000-business-hours-sla';
import { auth } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The business-hours migration on an installation that already has tickets: it is taken down, tickets are stored
 * in the shape they had before it, and it runs again. Nothing may change for them: every policy and ticket stays
 * on the 24x7 clock, and the stored warning instants and durations are what the former SQL computed.
 */
describe('business-hours SLA migration on an installation with tickets', () => {
  let t: TestApp;
  const T0 = new Date('2026-06-01T10:00:00.000Z');
  const plus = (minutes: number) => new Date(T0.getTime() + minutes * 60_000).toISOString();

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('keeps policies and tickets on 24x7 and stores what the 24x7 formulas gave', async () => {
    const migration = new BusinessHoursSla1765072800000();
    const runner = t.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      const [answered, untracked, reopened] = [randomUUID(), randomUUID(), randomUUID()];
      const reporter = randomUUID();
      await runner.query(
        `INSERT INTO tickets (id, title, description, category, reporter_id, priority, status, created_at,
           resolution_clock_started_at, paused_seconds, response_due_at, resolution_due_at, first_response_at,
           resolved_at)
         VALUES
           ($1, 'Answered and resolved', 'Before business hours.', 'INCIDENT', $4, 'P1', 'RESOLVED', $5, $5, 0,
            $6, $7, $8, $9),
           ($2, 'Created with SLA off', 'No due dates.', 'INCIDENT', $4, 'P3', 'NEW', $5, $5, 0,
            NULL, NULL, NULL, NULL),
           ($3, 'Reopened after a pause', 'The clock restarted.', 'INCIDENT', $4, 'P1', 'REOPENED', $5, $10, 600,
            $6, $11, $8, NULL)`,
        [
          answered,
          untracked,
          reopened,
          reporter,
          T0.toISOString(),
          plus(60),
          plus(240),
          plus(30),
          plus(180),
          plus(600),
          plus(600 + 240 + 10),
        ],
      );
      await migration.up(runner);

      expect(await runner.query(`SELECT DISTINCT clock FROM sla_policies`)).toEqual([{ clock: '24x7' }]);
      const calendars = await runner.query(
        `SELECT id, team_id, time_zone FROM sla_calendars WHERE superseded_at IS NULL`,
      );
      expect(calendars).toEqual([{ id: expect.any(String), team_id: null, time_zone: 'UTC' }]);
      const rows: Record<string, unknown>[] = await runner.query(
        `SELECT id, sla_clock, sla_calendar_id, response_warning_at, resolution_warning_at,
           time_to_first_response_seconds, time_to_resolution_seconds
         FROM tickets WHERE id = ANY($1::uuid[])`,
        [[answered, untracked, reopened]],
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      expect(byId.get(answered)).toMatchObject({
        sla_clock: '24x7',
        sla_calendar_id: calendars[0].id,
        response_warning_at: new Date(plus(48)),
        resolution_warning_at: new Date(plus(192)),
        time_to_first_response_seconds: 1800,
        time_to_resolution_seconds: 10800,
      });
      expect(byId.get(untracked)).toMatchObject({
        sla_clock: null,
        sla_calendar_id: null,
        response_warning_at: null,
        resolution_warning_at: null,
        time_to_first_response_seconds: null,
      });
      // Reopened at +600 min with 10 paused minutes: 80% of the 250 minutes from the restart.
      expect(byId.get(reopened)).toMatchObject({ resolution_warning_at: new Date(plus(600 + 200)) });
    } finally {
      await runner.release();
    }

    const shown = await t
      .http()
      .get('/api/v1/sla/policies')
      .set(...auth(t.user(Role.END_USER)))
      .expect(200);
    expect(new Set(shown.body.items.map((policy: { clock: string }) => policy.clock))).toEqual(new Set(['24x7']));
  });
});
