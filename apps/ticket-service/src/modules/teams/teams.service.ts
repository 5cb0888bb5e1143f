import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { DomainError } from '../../common/errors/domain-error';
import { findPage, type Page, type PageQueryDto } from '../../common/http/pagination';
import type { AddTeamMemberDto, CreateTeamDto, TeamDto, UpdateTeamDto } from './dto/team.dto';
import { Team, TeamMember } from './team.entity';
import { TeamRemovalListeners } from './team-removal';
import { toTeamDto } from './teams.mapper';

@Injectable()
export class TeamsService {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly removalListeners: TeamRemovalListeners,
  ) {}

  private get teams() {
    return this.txHost.tx.getRepository(Team);
  }

  private get members() {
    return this.txHost.tx.getRepository(TeamMember);
  }

  @Transactional()
  async create(input: CreateTeamDto): Promise<TeamDto> {
    const team = await this.teams.save(this.teams.create({ name: input.name }));
    return toTeamDto({ ...team, members: [] });
  }

  async list(query: PageQueryDto): Promise<Page<TeamDto>> {
    const teams = this.teams
      .createQueryBuilder('team')
      .leftJoinAndSelect('team.members', 'member')
      .orderBy('team.name', 'ASC')
      .addOrderBy('team.id', 'ASC');
    return findPage(teams, query, (rows) => rows.map(toTeamDto));
  }

  async get(id: string): Promise<TeamDto> {
    return toTeamDto(await this.load(id));
  }

  @Transactional()
  async rename(id: string, input: UpdateTeamDto): Promise<TeamDto> {
    const team = await this.load(id);
    team.name = input.name;
    await this.teams.save(team);
    return toTeamDto(team);
  }

  /** Modules that refer to the team refuse (a team with tickets) or let go of it first, in this transaction. */
  @Transactional()
  async remove(id: string): Promise<void> {
    const team = await this.load(id, { lock: true });
    for (const listener of this.removalListeners.all) await listener.beforeTeamRemoved(id);
    await this.teams.remove(team);
  }

  @Transactional()
  async upsertMember(teamId: string, input: AddTeamMemberDto): Promise<TeamDto> {
    await this.load(teamId);
    await this.members.upsert({ teamId, userId: input.user_id.toLowerCase(), role: input.role }, ['teamId', 'userId']);
    return toTeamDto(await this.load(teamId));
  }

  @Transactional()
  async removeMember(teamId: string, userId: string): Promise<void> {
    await this.load(teamId);
    const result = await this.members.delete({ teamId, userId: userId.toLowerCase() });
    if (!result.affected) throw DomainError.notFound('Team member');
  }

  private async load(id: string, options: { lock?: boolean } = {}): Promise<Team> {
    if (options.lock) await this.teams.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    const team = await this.teams.findOne({ where: { id }, relations: { members: true } });
    if (!team) throw DomainError.notFound('Team');
    return team;
  }
}
