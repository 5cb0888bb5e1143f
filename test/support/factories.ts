import { TicketCategory } from '@ticketing/contracts';
import type { TestApp, TestUser } from './test-app';

export const auth = (user: TestUser): [string, string] => ['Authorization', `Bearer ${user.token}`];

let sequence = 0;

/** A valid create-ticket body; override any field. */
export function ticketBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  return {
    title: `Build agent ${sequence} out of disk`,
    description: 'The build agent stopped accepting jobs: no space left on device.',
    category: TicketCategory.INCIDENT,
    ...overrides,
  };
}

/** Creates a ticket through the API as `reporter` and returns the response body. */
export async function createTicket(
  t: TestApp,
  reporter: TestUser,
  overrides: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const res = await t
    .http()
    .post('/api/v1/tickets')
    .set(...auth(reporter))
    .send(ticketBody(overrides));
  if (res.status !== 201) throw new Error(`createTicket: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, any>;
}

/** Creates a team with members through the API as `manager`. */
export async function createTeam(
  t: TestApp,
  manager: TestUser,
  name: string,
  members: { user: TestUser; role: 'LEAD' | 'MEMBER' }[] = [],
): Promise<Record<string, any>> {
  const res = await t
    .http()
    .post('/api/v1/teams')
    .set(...auth(manager))
    .send({ name });
  if (res.status !== 201) throw new Error(`createTeam: ${res.status} ${JSON.stringify(res.body)}`);
  for (const member of members) {
    const added = await t
      .http()
      .post(`/api/v1/teams/${res.body.id}/members`)
      .set(...auth(manager))
      .send({ user_id: member.user.id, role: member.role });
    if (added.status !== 201) throw new Error(`addMember: ${added.status} ${JSON.stringify(added.body)}`);
  }
  return res.body as Record<string, any>;
}
