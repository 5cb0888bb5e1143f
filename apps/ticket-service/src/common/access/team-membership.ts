/**
 * The team facts the access gate needs. Declared here so common/ imports no module; the teams module
 * provides it, and the composition root hands that module to AccessModule.forRoot.
 */
export abstract class TeamMembership {
  /** The teams `userId` leads. */
  abstract teamsLedBy(userId: string): Promise<string[]>;
  /** The teams (among `teamIds`) that `userId` belongs to, in any role. */
  abstract teamsOf(userId: string, teamIds: readonly string[]): Promise<string[]>;
}
