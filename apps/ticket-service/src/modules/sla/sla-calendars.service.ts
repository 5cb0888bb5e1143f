import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { SlaClockType, WEEKDAYS, type WorkingCalendar } from '@ticketing/contracts';
import { AccessGate, require403 } from '../../common/access/access-gate';
import { AccessPolicy } from '../../common/access/access-policy';
import type { Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/errors/domain-error';
import { TeamDirectory, type TeamRemovalListener, TeamRemovalListeners } from '../teams';
import { businessTimeline, ROUND_THE_CLOCK, type SlaTimeline } from './business-time';
import type { SlaCalendarDto, WorkingCalendarDto } from './dto/sla-calendar.dto';
import { SlaCalendar } from './sla-calendar.entity';
import { SLA_TARGETS_CACHE_MS } from './sla-policies.service';
import { IsNull } from 'typeorm';

function toWorkingCalendar(row: SlaCalendar): WorkingCalendar {
  return { time_zone: row.timeZone, week: row.week, holidays: row.holidays };
}

function toDto(row: SlaCalendar): SlaCalendarDto {
  return { id: row.id, team_id: row.teamId, ...toWorkingCalendar(row), updated_at: row.createdAt.toISOString() };
}

/** The versions in force: the default and each team's override. */
interface CurrentCalendars {
  defaultId: string;
  byTeam: Map<string, string>;
  readAt: number;
}

/**
 * Working calendars: the default and team overrides, kept as immutable versions. A ticket takes the version in
 * force for its team when it is created and keeps counting on it, as it keeps its policy's targets.
 */
@Injectable()
export class SlaCalendarsService implements OnModuleInit, TeamRemovalListener {
  /** Versions never change, so their compiled clocks are kept for good. */
  private readonly timelines = new Map<string, SlaTimeline>();
  private current: CurrentCalendars | null = null;

  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly access: AccessGate,
    private readonly teams: TeamDirectory,
    private readonly teamRemovalListeners: TeamRemovalListeners,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.teamRemovalListeners.register(this);
  }

  private get calendars() {
    return this.txHost.tx.getRepository(SlaCalendar);
  }

  async getDefault(): Promise<SlaCalendarDto> {
    return toDto(await this.calendars.findOneByOrFail({ id: (await this.currentCalendars()).defaultId }));
  }

  @Transactional()
  async replaceDefault(input: WorkingCalendarDto): Promise<SlaCalendarDto> {
    return toDto(await this.replace(null, input));
  }

  /** The calendar a team's new tickets count on: its override, or the default (team_id null). */
  async getForTeam(teamId: string): Promise<SlaCalendarDto> {
    await this.requireTeam(teamId);
    return toDto(await this.calendars.findOneByOrFail({ id: await this.calendarIdFor(teamId) }));
  }

  @Transactional()
  async replaceForTeam(principal: Principal, teamId: string, input: WorkingCalendarDto): Promise<SlaCalendarDto> {
    await this.authorizeTeamChange(principal, teamId);
    return toDto(await this.replace(teamId, input));
  }

  /** The team falls back to the default calendar; nothing to do when it has no override. */
  @Transactional()
  async removeForTeam(principal: Principal, teamId: string): Promise<void> {
    await this.authorizeTeamChange(principal, teamId);
    await this.supersede(teamId);
  }

  @Transactional()
  async beforeTeamRemoved(teamId: string): Promise<void> {
    await this.supersede(teamId);
  }

  /** The version new tickets of `teamId` (or without a team) take. */
  async calendarIdFor(teamId: string | null): Promise<string> {
    const current = await this.currentCalendars();
    return (teamId !== null ? current.byTeam.get(teamId) : undefined) ?? current.defaultId;
  }

  /** The clock a ticket counts on: every minute, or the working hours of its calendar version. */
  async timeline(clock: SlaClockType | null, calendarId: string | null): Promise<SlaTimeline> {
    if (clock !== SlaClockType.BUSINESS_HOURS || calendarId === null) return ROUND_THE_CLOCK;
    let timeline = this.timelines.get(calendarId);
    if (!timeline) {
      timeline = businessTimeline(toWorkingCalendar(await this.calendars.findOneByOrFail({ id: calendarId })));
      this.timelines.set(calendarId, timeline);
    }
    return timeline;
  }

  private async currentCalendars(): Promise<CurrentCalendars> {
    const now = Date.now();
    if (!this.current || now - this.current.readAt > SLA_TARGETS_CACHE_MS) {
      const rows = await this.calendars.find({ select: { id: true, teamId: true }, where: { supersededAt: IsNull() } });
      const defaultRow = rows.find((row) => row.teamId === null);
      if (!defaultRow) throw new Error('No default SLA calendar');
      const byTeam = new Map(rows.flatMap((row) => (row.teamId === null ? [] : [[row.teamId, row.id] as const])));
      this.current = { defaultId: defaultRow.id, byTeam, readAt: now };
    }
    return this.current;
  }

  private async requireTeam(teamId: string): Promise<void> {
    if (!(await this.teams.exists(teamId))) throw DomainError.notFound('Team');
  }

  private async authorizeTeamChange(principal: Principal, teamId: string): Promise<void> {
    await this.requireTeam(teamId);
    require403(AccessPolicy.refuseChangeTeamCalendar(await this.access.actor(principal), teamId));
  }

  /** A new version for the scope, superseding the current one (locked, so concurrent writers queue up). */
  private async replace(teamId: string | null, input: WorkingCalendarDto): Promise<SlaCalendar> {
    if (WEEKDAYS.every((day) => input.week[day].length === 0)) {
      throw DomainError.validation('A calendar needs at least one shift', [
        { field: 'week', message: 'must have at least one shift' },
      ]);
    }
    await this.supersede(teamId);
    const saved = await this.calendars.save(
      this.calendars.create({
        teamId,
        timeZone: input.time_zone,
        week: Object.fromEntries(WEEKDAYS.map((day) => [day, input.week[day]])) as WorkingCalendar['week'],
        holidays: [...input.holidays].sort(),
        createdAt: this.clock.now(),
        supersededAt: null,
      }),
    );
    this.current = null;
    return saved;
  }

  private async supersede(teamId: string | null): Promise<void> {
    const current = await this.calendars.findOne({
      where: { teamId: teamId ?? IsNull(), supersededAt: IsNull() },
      lock: { mode: 'pessimistic_write' },
    });
    if (!current) return;
    current.supersededAt = this.clock.now();
    await this.calendars.save(current);
    this.current = null;
  }
}
