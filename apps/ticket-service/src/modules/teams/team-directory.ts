import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { TeamMemberRole } from '@ticketing/contracts';
import { TeamMembership } from '../../common/access/team-membership';
import { Team, TeamMember } from './team.entity';

/** Team look-ups for other modules and the access gate; reads join the caller's transaction. */
@Injectable()
export class TeamDirectory implements TeamMembership {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  async exists(teamId: string): Promise<boolean> {
    return this.txHost.tx.getRepository(Team).existsBy({ id: teamId });
  }

  async teamsLedBy(userId: string): Promise<string[]> {
    const rows = await this.txHost.tx.getRepository(TeamMember).find({
      select: { teamId: true },
      where: { userId, role: TeamMemberRole.LEAD },
    });
    return rows.map((row) => row.teamId);
  }

  /** The teams (among `teamIds`) that `userId` belongs to, in any role. */
  async teamsOf(userId: string, teamIds: readonly string[]): Promise<string[]> {
    if (teamIds.length === 0) return [];
    const rows = await this.txHost.tx
      .getRepository(TeamMember)
      .createQueryBuilder('member')
      .select('member.teamId', 'teamId')
      .where('member.userId = :userId AND member.teamId IN (:...teamIds)', { userId, teamIds })
      .getRawMany<{ teamId: string }>();
    return rows.map((row) => row.teamId);
  }
}
