import type { AddressInfo } from 'node:net';
import {
  createTicketClient,
  ifMatch,
  responseMeta,
  Role,
  TicketCategory,
  type TicketClient,
} from '@ticketing/contracts';
import { type Alert, alertToTicket } from '../libs/contracts/examples/alert-to-ticket';
import { startTestApp, type TestApp } from './support/test-app';

/** The contracts package's helpers (headers, If-Match, uploads) and its example, against the real service. */
describe('contracts package: client helpers and the alert-to-ticket example', () => {
  let t: TestApp;
  let baseUrl: string;
  const clientAs = (role: Role): TicketClient => createTicketClient({ baseUrl, token: t.user(role).token });

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await t.close();
  });

  const openTicket = async (client: TicketClient, title = 'Build agents out of disk') => {
    // priority is optional in the request type: the service defaults it to P3.
    const { data, response } = await client.POST('/api/v1/tickets', {
      body: { title, description: 'No space left on device on three agents.', category: TicketCategory.INCIDENT },
    });
    expect(response.status).toBe(201);
    expect(data?.priority).toBe('P3');
    return data!;
  };

  it('reads ETag and version, and sends If-Match (412 when stale)', async () => {
    const client = clientAs(Role.ADMIN);
    const ticket = await openTicket(client);
    const fetched = await client.GET('/api/v1/tickets/{ticket_id}', { params: { path: { ticket_id: ticket.id } } });
    const meta = responseMeta(fetched.response);
    expect(meta).toMatchObject({ etag: `"${ticket.version}"`, version: ticket.version, idempotentReplayed: false });
    expect(meta.requestId).toEqual(expect.any(String));

    const path = { params: { path: { ticket_id: ticket.id } } };
    const changed = await client.PATCH('/api/v1/tickets/{ticket_id}', {
      ...path,
      body: { priority: 'P2' },
      headers: ifMatch(meta.etag!),
    });
    expect(changed.response.status).toBe(200);
    const stale = await client.PATCH('/api/v1/tickets/{ticket_id}', {
      ...path,
      body: { priority: 'P1' },
      headers: ifMatch(ticket.version),
    });
    expect(stale.response.status).toBe(412);
    expect(stale.error).toMatchObject({ error_code: 'PRECONDITION_FAILED' });
  });

  it('reads the paging headers of a list', async () => {
    const client = clientAs(Role.END_USER);
    for (const title of ['First of three', 'Second of three', 'Third of three']) await openTicket(client, title);
    const first = await client.GET('/api/v1/tickets', { params: { query: { page_size: 2 } } });
    const meta = responseMeta(first.response);
    expect(meta.totalExact).toBe(true);
    expect(meta.nextCursor).toEqual(expect.any(String));
    const next = await client.GET('/api/v1/tickets', { params: { query: { page_size: 2, cursor: meta.nextCursor! } } });
    expect(next.data?.items).toHaveLength(1);
    expect(responseMeta(next.response).nextCursor).toBeNull();
  });

  it('uploads a file as multipart, optionally onto a comment', async () => {
    const client = clientAs(Role.DEVOPS_ENGINEER);
    const ticket = await openTicket(client);
    const comment = await client.POST('/api/v1/tickets/{ticket_id}/comments', {
      params: { path: { ticket_id: ticket.id } },
      body: { content: 'df -h of agent 3 attached' },
    });
    const text = 'Filesystem Size Used Avail\n/dev/sda1 100G 100G 0\n';
    const uploaded = await client.uploadAttachment({
      ticketId: ticket.id,
      file: new Blob([text], { type: 'text/plain' }),
      filename: 'df.txt',
      commentId: comment.data!.id,
    });
    expect(uploaded.response.status).toBe(201);
    expect(uploaded.data).toMatchObject({ filename: 'df.txt', comment_id: comment.data!.id, size_bytes: text.length });
  });

  it('examples/alert-to-ticket.ts opens one ticket per alert, with the alert attached', async () => {
    const client = clientAs(Role.DEVOPS_ENGINEER);
    const alert: Alert = {
      status: 'firing',
      labels: { alertname: 'HighErrorRate', severity: 'critical', service: 'checkout', env: 'prod' },
      annotations: { summary: 'checkout 5xx above 5%', runbook_url: 'https://runbooks.example.com/high-error-rate' },
      startsAt: '2026-12-01T09:00:00Z',
      fingerprint: '4f6c0a1b2c3d',
    };
    const opened = await alertToTicket(client, alert);
    expect(opened.created).toBe(true);
    const { data: ticket } = await client.GET('/api/v1/tickets/{ticket_id}', {
      params: { path: { ticket_id: opened.id } },
    });
    expect(ticket).toMatchObject({
      ticket_number: opened.ticketNumber,
      title: '[critical] checkout 5xx above 5%',
      priority: 'P1',
      impact_level: 'HIGH',
      environment: 'PRODUCTION',
      affected_service: 'checkout',
      tags: ['alert', 'higherrorrate'],
    });
    const { data: attachments } = await client.GET('/api/v1/tickets/{ticket_id}/attachments', {
      params: { path: { ticket_id: opened.id } },
    });
    expect(attachments?.items.map((attachment) => attachment.filename)).toEqual(['alert-4f6c0a1b2c3d.json']);

    const again = await alertToTicket(client, alert);
    expect(again).toEqual({ ...opened, created: false });
  });
});
