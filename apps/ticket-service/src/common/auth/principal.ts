import { Role } from '@ticketing/contracts';

/** The authenticated caller, as read from a validated access token. */
export interface Principal {
  id: string;
  role: Role;
  username: string | null;
  email: string | null;
}

/** Roles in ascending order of power: "DEVOPS_ENGINEER or above" compares positions here. */
export const ROLE_RANK: Readonly<Record<Role, number>> = {
  [Role.END_USER]: 0,
  [Role.DEVOPS_ENGINEER]: 1,
  [Role.TEAM_LEAD]: 2,
  [Role.MANAGER]: 3,
  [Role.ADMIN]: 4,
};
