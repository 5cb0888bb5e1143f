import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { AlertOutcome, AlertStatus, ErrorCode } from '@ticketing/contracts';
import type { Principal } from '../../common/auth/principal';
import { Clock } from '../../common/clock';
import { DomainError, type FieldError } from '../../common/errors/domain-error';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { CommentsService } from '../comments';
import { TeamDirectory, type TeamRemovalListener, TeamRemovalListeners } from '../teams';
import { type AlertTicketResult, TicketsService } from '../tickets';
import { type AlertRouteRule, type IncomingAlert, toFiringAlert } from './alert-mapping';
import { AlertRoute } from './alert-route.entity';
import type { AlertIntakeItemDto } from './dto/alert.dto';
import type { AlertRoutesDto } from './dto/alert-route.dto';

/**
 * Turns monitoring alerts into tickets through the tickets module (which owns them and their de-duplication),
 * and owns the routing rules that pick a ticket's team.
 */
@Injectable()
export class AlertsService implements OnModuleInit, TeamRemovalListener {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly tickets: TicketsService,
    private readonly comments: CommentsService,
    private readonly teams: TeamDirectory,
    private readonly teamRemovalListeners: TeamRemovalListeners,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.teamRemovalListeners.register(this);
  }

  private get routes() {
    return this.txHost.tx.getRepository(AlertRoute);
  }

  /**
   * Every alert of one delivery in one transaction (a failed delivery changes nothing, and the sender's retry
   * is handled like the first try). Alerts are taken in fingerprint order, so two deliveries sharing
   * fingerprints queue on them in the same order and cannot deadlock; the answer keeps the order received.
   */
  @Transactional()
  async ingest(principal: Principal, alerts: readonly IncomingAlert[]): Promise<AlertIntakeItemDto[]> {
    const routes = await this.routeRules();
    const order = alerts
      .map((_, index) => index)
      .sort((a, b) => compare(alerts[a].fingerprint, alerts[b].fingerprint) || a - b);
    const answers: AlertIntakeItemDto[] = new Array<AlertIntakeItemDto>(alerts.length);
    for (const index of order) answers[index] = await this.ingestOne(principal, alerts[index], routes);
    return answers;
  }

  async listRoutes(): Promise<AlertRoutesDto> {
    return toRoutesDto(await this.routeRules());
  }

  /** Replaces the rules; every team must exist. Concurrent replacements queue on the table lock. */
  @Transactional()
  async replaceRoutes(input: AlertRoutesDto): Promise<AlertRoutesDto> {
    await this.txHost.tx.query('LOCK TABLE alert_routes IN SHARE ROW EXCLUSIVE MODE');
    const unknown: FieldError[] = [];
    for (const [index, route] of input.routes.entries()) {
      if (!(await this.teams.exists(route.team_id)))
        unknown.push({ field: `routes.${index}.team_id`, message: 'no such team' });
    }
    if (unknown.length > 0) throw DomainError.validation('An alert route names a team that does not exist', unknown);
    const now = this.clock.now();
    await this.routes.createQueryBuilder().delete().execute();
    await this.routes.insert(
      input.routes.map((route, position) => ({ position, match: route.match, teamId: route.team_id, updatedAt: now })),
    );
    return this.listRoutes();
  }

  /** A team that alerts are routed to stays until the routes point elsewhere. */
  async beforeTeamRemoved(teamId: string): Promise<void> {
    if (await this.routes.existsBy({ teamId })) {
      throw new DomainError(ErrorCode.CONFLICT, 'Alert routes send alerts to the team; change them first');
    }
  }

  private async ingestOne(
    principal: Principal,
    alert: IncomingAlert,
    routes: readonly AlertRouteRule[],
  ): Promise<AlertIntakeItemDto> {
    const { alerts: settings, tickets: ticketSettings } = this.config;
    if (alert.status === AlertStatus.FIRING) {
      const result = await this.tickets.recordAlertFiring(principal, toFiringAlert(alert, routes, settings.tagLabels), {
        reopenWindowMinutes: settings.reopenWindowMinutes,
        ticketReopenWindowDays: ticketSettings.reopenWindowDays,
      });
      return toItem(alert, result);
    }
    const resolvedAt = alert.endsAt ?? this.clock.now();
    const result = await this.tickets.recordAlertResolved(
      principal,
      alert.fingerprint,
      resolvedAt,
      settings.autoResolve,
    );
    if (result === null)
      return { fingerprint: alert.fingerprint, outcome: AlertOutcome.IGNORED, ticket_id: null, ticket_number: null };
    await this.comments.addSystemNote(principal, result.ticket.id, `Alert resolved at ${resolvedAt.toISOString()}.`);
    return toItem(alert, result);
  }

  private async routeRules(): Promise<AlertRouteRule[]> {
    const rows = await this.routes.find({ order: { position: 'ASC' } });
    return rows.map((row) => ({ match: row.match, teamId: row.teamId }));
  }
}

/** Code-point order, the same on every instance whatever its locale. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function toItem(alert: IncomingAlert, result: AlertTicketResult): AlertIntakeItemDto {
  return {
    fingerprint: alert.fingerprint,
    outcome: result.outcome,
    ticket_id: result.ticket.id,
    ticket_number: result.ticket.ticketNumber,
  };
}

function toRoutesDto(rules: readonly AlertRouteRule[]): AlertRoutesDto {
  return { routes: rules.map((rule) => ({ match: rule.match, team_id: rule.teamId })) };
}
