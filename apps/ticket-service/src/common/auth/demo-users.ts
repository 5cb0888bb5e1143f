import { Role } from '@ticketing/contracts';
import type { AppConfig } from '../../config/app-config';
import { type MintOptions, mintAccessToken } from './access-token';

/** A fixed identity for trying the service: `npm run token -- --as <name>` and `npm run seed -- --demo`. */
export interface DemoUser {
  name: DemoUserName;
  /** Stable across runs, so tickets made with one token are found with the next. */
  id: string;
  role: Role;
  username: string;
  email: string;
  /** What the demo queue (`npm run seed -- --demo`) makes of this user. */
  part: string;
}

export const DEMO_USER_NAMES = ['alice', 'eng1', 'lead', 'manager', 'admin'] as const;
export type DemoUserName = (typeof DEMO_USER_NAMES)[number];

/** The demo team that `lead` leads and `eng1` works in. */
export const DEMO_TEAM = 'Platform';
/** The second demo team: nobody leads it, so `lead` may read its tickets but not change them. */
export const OTHER_DEMO_TEAM = 'Database';

const user = (name: DemoUserName, id: string, role: Role, part: string): DemoUser => ({
  name,
  id,
  role,
  username: name,
  email: `${name}@example.com`,
  part,
});

export const DEMO_USERS: Readonly<Record<DemoUserName, DemoUser>> = {
  alice: user('alice', 'a11ce000-0000-4000-8000-000000000001', Role.END_USER, 'requester: reports most tickets'),
  eng1: user('eng1', 'e1000000-0000-4000-8000-000000000002', Role.DEVOPS_ENGINEER, `member of ${DEMO_TEAM}`),
  lead: user('lead', '1ead0000-0000-4000-8000-000000000003', Role.TEAM_LEAD, `lead of ${DEMO_TEAM}`),
  manager: user('manager', '3a4a6e40-0000-4000-8000-000000000004', Role.MANAGER, 'sees every team'),
  admin: user('admin', 'ad3170e0-0000-4000-8000-000000000005', Role.ADMIN, 'everything, incl. deletes and SLA'),
};

export function demoUser(name: string): DemoUser {
  if (!(DEMO_USER_NAMES as readonly string[]).includes(name)) {
    throw new Error(`--as must be one of ${DEMO_USER_NAMES.join(', ')}`);
  }
  return DEMO_USERS[name as DemoUserName];
}

/** The claims of a demo user's token. */
export function demoMintOptions(user: DemoUser, ttlSeconds: number): MintOptions {
  return { role: user.role, sub: user.id, username: user.username, email: user.email, ttlSeconds };
}

/** An access token for a demo user, signed with the configured secret. */
export function mintDemoToken(auth: AppConfig['auth'], user: DemoUser, ttlSeconds: number): string {
  return mintAccessToken(auth, demoMintOptions(user, ttlSeconds));
}
