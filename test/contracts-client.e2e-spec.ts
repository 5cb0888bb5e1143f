import type { AddressInfo } from 'node:net';
import {
  AlertOutcome,
  AlertSeverity,
  AlertStatus,
  BulkTicketAction,
  createTicketClient,
  Role,
  SlaClockType,
  TicketCategory,
  TicketLinkRelation,
  TicketLinkType,
  TicketPriority,
  TicketStatus,
  type WorkingCalendar,
} from '@ticketing/contracts';
import { startTestApp, type TestApp } from './support/test-app';

/** Flows driven through the contracts package's typed client, so the client is tested against the real API. */
describe('typed contracts client', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await t.close();
  });

  it('creates, reads, lists and moves a ticket', async () => {
    const engineer = t.user(Role.DEVOPS_ENGINEER);
    const client = createTicketClient({ baseUrl, token: engineer.token });

    const created = await client.POST('/api/v1/tickets', {
      body: {
        title: 'VPN drops every hour',
        description: 'Engineers lose the VPN tunnel hourly since Monday.',
        category: TicketCategory.INCIDENT,
        priority: TicketPriority.P2,
      },
    });
    expect(created.response.status).toBe(201);
    const ticket = created.data!;
    expect(ticket).toMatchObject({ status: TicketStatus.NEW, priority: 'P2', reporter_id: engineer.id });

    const fetched = await client.GET('/api/v1/tickets/{ticket_id}', { params: { path: { ticket_id: ticket.id } } });
    expect(fetched.data?.ticket_number).toBe(ticket.ticket_number);
    expect(fetched.response.headers.get('etag')).toBe(`"${ticket.version}"`);

    const assigned = await client.PUT('/api/v1/tickets/{ticket_id}/assign', {
      params: { path: { ticket_id: ticket.id } },
      body: { assignee_id: engineer.id },
    });
    expect(assigned.data?.status).toBe(TicketStatus.OPEN);

    const listed = await client.GET('/api/v1/tickets', {
      params: { query: { assignee_id: 'me', status: [TicketStatus.OPEN] } },
    });
    expect(listed.data?.items.map((item) => item.id)).toEqual([ticket.id]);
  });

  it('sets a working calendar and a business-hours clock, and a new ticket shows them', async () => {
    const client = createTicketClient({ baseUrl, token: t.user(Role.ADMIN).token });
    const nineToFive: WorkingCalendar['week']['mon'] = [['09:00', '17:00']];
    const calendar: WorkingCalendar = {
      time_zone: 'America/St_Johns',
      week: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive, sat: [], sun: [] },
      holidays: ['2026-12-25'],
    };
    const replaced = await client.PUT('/api/v1/sla/calendar', { body: calendar });
    expect(replaced.data).toMatchObject({ ...calendar, team_id: null });
    const policy = await client.PUT('/api/v1/sla/policies/{priority}', {
      params: { path: { priority: TicketPriority.P4 } },
      body: { response_minutes: 480, resolution_minutes: 2400, clock: SlaClockType.BUSINESS_HOURS },
    });
    expect(policy.data?.clock).toBe(SlaClockType.BUSINESS_HOURS);

    const created = await client.POST('/api/v1/tickets', {
      body: {
        title: 'Request a staging database',
        description: 'A copy of the staging database for load tests.',
        category: TicketCategory.SERVICE_REQUEST,
        priority: TicketPriority.P4,
      },
    });
    expect(created.data).toMatchObject({ sla_clock: SlaClockType.BUSINESS_HOURS, sla_calendar_id: replaced.data!.id });
  });

  it('posts an alert and reads the ticket it opened, with its alert', async () => {
    const client = createTicketClient({ baseUrl, token: t.user(Role.DEVOPS_ENGINEER).token });
    const fingerprint = `client-${crypto.randomUUID()}`;
    const posted = await client.POST('/api/v1/alerts', {
      body: {
        fingerprint,
        status: AlertStatus.FIRING,
        title: 'Queue backlog above 10,000 messages',
        description: 'The orders queue has grown for 15 minutes.',
        severity: AlertSeverity.HIGH,
        labels: { alertname: 'QueueBacklog', service: 'orders' },
        starts_at: '2026-11-30T09:00:00Z',
      },
    });
    expect(posted.response.status).toBe(200);
    const [item] = posted.data!.items;
    expect(item.outcome).toBe(AlertOutcome.CREATED);
    const ticket = await client.GET('/api/v1/tickets/{ticket_id}', {
      params: { path: { ticket_id: item.ticket_id! } },
    });
    expect(ticket.data).toMatchObject({ priority: TicketPriority.P2, affected_service: 'orders' });
    expect(ticket.data?.alert).toMatchObject({ fingerprint, occurrences: 1, labels: { service: 'orders' } });
  });

  it('surfaces the error body of a refused call', async () => {
    const client = createTicketClient({ baseUrl, token: t.user(Role.END_USER).token });
    const result = await client.GET('/api/v1/teams');
    expect(result.response.status).toBe(403);
    expect(result.error).toMatchObject({ error_code: 'FORBIDDEN' });
  });

  it('links tickets and changes them in bulk with the contracts enums', async () => {
    const client = createTicketClient({ baseUrl, token: t.user(Role.MANAGER).token });
    const body = {
      description: 'The nightly backup job failed twice.',
      category: TicketCategory.INCIDENT,
      priority: TicketPriority.P3,
    };
    const first = (await client.POST('/api/v1/tickets', { body: { ...body, title: 'Backup failed (db-1)' } })).data!;
    const second = (await client.POST('/api/v1/tickets', { body: { ...body, title: 'Backup failed (db-2)' } })).data!;

    const link = await client.POST('/api/v1/tickets/{ticket_id}/links', {
      params: { path: { ticket_id: first.id } },
      body: { type: TicketLinkType.BLOCKS, target_id: second.id },
    });
    expect(link.response.status).toBe(201);
    const fromTarget = await client.GET('/api/v1/tickets/{ticket_id}/links', {
      params: { path: { ticket_id: second.id } },
    });
    expect(fromTarget.data?.items.map((item) => item.type)).toEqual([TicketLinkRelation.BLOCKED_BY]);

    const bulk = await client.POST('/api/v1/tickets/bulk', {
      body: { ids: [first.id, second.id], action: BulkTicketAction.PRIORITY, priority: TicketPriority.P1 },
    });
    expect(bulk.data?.results.map((item) => [item.id, item.status, item.ticket?.priority])).toEqual([
      [first.id, 200, 'P1'],
      [second.id, 200, 'P1'],
    ]);
  });

  it('reads the public health endpoint without a token', async () => {
    const result = await createTicketClient({ baseUrl }).GET('/health');
    expect(result.data).toMatchObject({ status: 'healthy', service: 'ticket-service' });
  });
});
