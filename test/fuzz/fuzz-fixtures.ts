import { createHmac } from 'node:crypto';
import { Role } from '@ticketing/contracts';
import jwt from 'jsonwebtoken';
import { auth, createTeam, createTicket } from '../support/factories';
import { TEST_JWT_SECRET, type TestApp, type TestUser } from '../support/test-app';
import type { FuzzContext } from './openapi-arbitraries';

/** One user per role, fixed for the whole run: the seeded fixtures are theirs. */
export type FuzzUsers = Record<Role, TestUser>;

export function fuzzUsers(t: TestApp): FuzzUsers {
  return Object.fromEntries(Object.values(Role).map((role) => [role, t.user(role)])) as FuzzUsers;
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs exactly `payloadJson`, also what jsonwebtoken refuses to sign (null, a number, an array). */
function signRaw(payloadJson: string, secret = TEST_JWT_SECRET): string {
  const input = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${Buffer.from(payloadJson).toString('base64url')}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/**
 * The `Authorization` headers the fuzzer sends: the five roles most of the time, otherwise no header, another
 * scheme, garbage and hostile tokens (alg none, a wrong key, a null payload, expired, two tokens, a bad role),
 * and a role's token under the lower-case scheme (which must work).
 */
export function fuzzCredentials(users: FuzzUsers): FuzzContext['credentials'] {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: users.ADMIN.id, role: Role.ADMIN, type: 'access', iat: now, exp: now + 24 * 3600 };
  const token = users.ADMIN.token;
  const others: [string, string | null][] = [
    ['none', null],
    ['basic', 'Basic YWRtaW46YWRtaW4='],
    ['garbage', 'Bearer not-a-token'],
    ['bearer only', 'Bearer'],
    ['alg none', `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`],
    ['wrong key', `Bearer ${jwt.sign(claims, 'another-secret-that-is-also-long-enough!!')}`],
    ['null payload', `Bearer ${signRaw('null')}`],
    ['array payload', `Bearer ${signRaw('[]')}`],
    ['expired', `Bearer ${jwt.sign({ ...claims, iat: now - 7200, exp: now - 3600 }, TEST_JWT_SECRET)}`],
    ['two tokens', `Bearer ${token} ${token}`],
    ['unknown role', `Bearer ${jwt.sign({ ...claims, role: 'ROOT' }, TEST_JWT_SECRET)}`],
    ['lower-case scheme', `bearer ${token}`],
  ];
  return [
    ...Object.values(users).map((user) => ({
      label: user.role,
      header: `Bearer ${user.token}`,
      weight: 12,
      authenticates: true,
    })),
    // Of these only the lower-case scheme authenticates (RFC 7235: schemes are case-insensitive).
    ...others.map(([label, header]) => ({ label, header, weight: 1, authenticates: label === 'lower-case scheme' })),
  ];
}

async function ok(response: Promise<{ status: number; body: unknown }>, expected: number, what: string) {
  const res = await response;
  if (res.status !== expected) throw new Error(`fuzz fixture ${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, any>;
}

let seeded = 0;

/**
 * Seeds one of everything an id in the document can name, so requests reach deep handlers: tickets (the end
 * user's own one assigned to the engineer in the lead's team, another user's, a resolved one), a public and an
 * internal comment, an attachment, a team with members, a webhook with a delivery. Returns the ids by the
 * names of the parameters and fields that take them. A webhook of an earlier seed is deleted first, so each
 * change is not fanned out to more and more subscriptions.
 */
export async function seedFixtures(
  t: TestApp,
  users: FuzzUsers,
  previous: FuzzContext['ids'] | null,
): Promise<FuzzContext['ids']> {
  seeded += 1;
  const { END_USER: requester, DEVOPS_ENGINEER: engineer, TEAM_LEAD: lead, MANAGER: manager, ADMIN: admin } = users;
  for (const webhookId of previous?.webhook_id ?? []) {
    await t
      .http()
      .delete(`/api/v1/webhooks/${webhookId}`)
      .set(...auth(admin));
  }
  const webhook = await ok(
    t
      .http()
      .post('/api/v1/webhooks')
      .set(...auth(admin))
      .send({ url: 'http://127.0.0.1:9/fuzz', secret: 'fuzz-webhook-secret-0123456789' }),
    201,
    'webhook',
  );
  const team = await createTeam(t, manager, `Fuzz team ${seeded} ${Date.now()}`, [
    { user: lead, role: 'LEAD' },
    { user: engineer, role: 'MEMBER' },
  ]);
  const own = await createTicket(t, requester, { team_id: team.id, tags: ['fuzz'] });
  await ok(
    t
      .http()
      .put(`/api/v1/tickets/${own.id}/assign`)
      .set(...auth(lead))
      .send({ assignee_id: engineer.id }),
    200,
    'assign',
  );
  const other = await createTicket(t, manager);
  const resolved = await createTicket(t, requester);
  await ok(
    t
      .http()
      .patch(`/api/v1/tickets/${resolved.id}/status`)
      .set(...auth(admin))
      .send({ status: 'IN_PROGRESS' }),
    200,
    'start',
  );
  await ok(
    t
      .http()
      .post(`/api/v1/tickets/${resolved.id}/resolve`)
      .set(...auth(admin))
      .send({ resolution_notes: 'Resolved while seeding the fuzzer.' }),
    200,
    'resolve',
  );
  const comment = await ok(
    t
      .http()
      .post(`/api/v1/tickets/${own.id}/comments`)
      .set(...auth(requester))
      .send({ content: 'The disk filled up again.' }),
    201,
    'comment',
  );
  const internal = await ok(
    t
      .http()
      .post(`/api/v1/tickets/${own.id}/comments`)
      .set(...auth(engineer))
      .send({ content: 'Staff only: check the cron job.', is_internal: true }),
    201,
    'internal comment',
  );
  const attachment = await ok(
    t
      .http()
      .post(`/api/v1/tickets/${own.id}/attachments`)
      .set(...auth(requester))
      .attach('file', Buffer.from('disk usage 100%\n'), 'df.log'),
    201,
    'attachment',
  );
  const deliveries = await ok(
    t
      .http()
      .get(`/api/v1/webhooks/${webhook.id}/deliveries`)
      .set(...auth(admin)),
    200,
    'deliveries',
  );
  const userIds = Object.values(users).map((user) => user.id);
  return {
    ticket_id: [own.id, other.id, resolved.id],
    comment_id: [comment.id, internal.id],
    attachment_id: [attachment.id],
    team_id: [team.id],
    user_id: userIds,
    assignee_id: userIds,
    reporter_id: userIds,
    webhook_id: [webhook.id],
    delivery_id: deliveries.items.map((delivery: { id: string }) => delivery.id).slice(0, 2),
  };
}
