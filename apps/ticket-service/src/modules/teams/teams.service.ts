import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { ErrorCode } from '@ticketing/contracts';
import { DomainError } from '../../common/errors/domain-error';
import { type Page, type PageQueryDto, pageOffset, toPage } from '../../common/http/pagination';
import type { AddTeamMemberDto, CreateTeamDto, TeamDto, UpdateTeamDto } from './dto/team.dto';
import { Ticket } from '../tickets/ticket.entity';
import { Team, TeamMember } from './team.entity';
import { toTeamDto } from './teams.mapper';

@Injectable()
export class TeamsService {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

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
    const [teams, total] = await this.teams.findAndCount({
      relations: { members: true },
      order: { name: 'ASC', id: 'ASC' },
      skip: pageOffset(query),
      take: query.page_size,
    });
    return toPage(teams.map(toTeamDto), total, query);
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

  /**
   * A team that visible tickets still point at cannot go (move them first). Deleted tickets let go of it
   * through an audited save, so their history says where they went.
   */
  @Transactional()
  async remove(id: string): Promise<void> {
    const team = await this.load(id, { lock: true });
    const tickets = this.txHost.tx.getRepository(Ticket);
    if (await tickets.existsBy({ teamId: id })) {
      throw new DomainError(ErrorCode.CONFLICT, 'The team still has tickets; move them to another team first');
    }
    for (const deleted of await tickets.find({ where: { teamId: id }, withDeleted: true })) {
      deleted.teamId = null;
      await tickets.save(deleted);
    }
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
