import { AlertSeverity, AlertStatus, TicketEnvironment, TicketPriority } from '@ticketing/contracts';
import {
  alertAffectedService,
  alertEnvironment,
  alertPriority,
  alertTags,
  alertTicketDescription,
  type AlertRouteRule,
  alertTicketTitle,
  fromAlertmanager,
  routeAlert,
  severityFromLabel,
  toFiringAlert,
} from './alert-mapping';

const TEAM_A = '00000000-0000-4000-8000-00000000000a';
const TEAM_B = '00000000-0000-4000-8000-00000000000b';

describe('alert mapping', () => {
  it.each([
    [AlertSeverity.CRITICAL, TicketPriority.P1],
    [AlertSeverity.HIGH, TicketPriority.P2],
    [AlertSeverity.WARNING, TicketPriority.P3],
    [AlertSeverity.INFO, TicketPriority.P4],
  ])('maps severity %s to %s', (severity, priority) => {
    expect(alertPriority(severity, {})).toBe(priority);
  });

  it('lets a priority label of P1–P4 (any case) override the severity, and ignores other values', () => {
    expect(alertPriority(AlertSeverity.INFO, { priority: 'P1' })).toBe(TicketPriority.P1);
    expect(alertPriority(AlertSeverity.CRITICAL, { priority: ' p4 ' })).toBe(TicketPriority.P4);
    expect(alertPriority(AlertSeverity.HIGH, { priority: 'urgent' })).toBe(TicketPriority.P2);
    expect(alertPriority(AlertSeverity.HIGH, { priority: 'P5' })).toBe(TicketPriority.P2);
  });

  it('reads an Alertmanager severity label case-insensitively; unknown or missing is a warning', () => {
    expect(severityFromLabel('Critical')).toBe(AlertSeverity.CRITICAL);
    expect(severityFromLabel('info')).toBe(AlertSeverity.INFO);
    expect(severityFromLabel('page')).toBe(AlertSeverity.WARNING);
    expect(severityFromLabel(undefined)).toBe(AlertSeverity.WARNING);
  });

  it('takes the environment from `environment`, else `env`, with the common short names', () => {
    expect(alertEnvironment({ environment: 'Production', env: 'dev' })).toBe(TicketEnvironment.PRODUCTION);
    expect(alertEnvironment({ env: 'prod' })).toBe(TicketEnvironment.PRODUCTION);
    expect(alertEnvironment({ env: 'stg' })).toBe(TicketEnvironment.STAGING);
    expect(alertEnvironment({ env: 'dev' })).toBe(TicketEnvironment.DEVELOPMENT);
    expect(alertEnvironment({ env: 'qa' })).toBe(TicketEnvironment.TESTING);
    expect(alertEnvironment({ env: 'lab' })).toBeNull();
    expect(alertEnvironment({})).toBeNull();
  });

  it('takes the affected service from `service`, else `job`, at most 200 characters', () => {
    expect(alertAffectedService({ service: 'checkout', job: 'node' })).toBe('checkout');
    expect(alertAffectedService({ service: ' ', job: 'node-exporter' })).toBe('node-exporter');
    expect(alertAffectedService({})).toBeNull();
    expect(alertAffectedService({ service: 'x'.repeat(300) })).toHaveLength(200);
  });

  it('makes tags of the configured labels: in their order, trimmed, lower-cased, de-duplicated, ≤ 50 chars', () => {
    const labels = { alertname: 'HighErrorRate', team: ' Payments ', cluster: 'highErrorRate', long: 'y'.repeat(80) };
    expect(alertTags(labels, ['team', 'alertname', 'cluster', 'missing', 'long'])).toEqual([
      'payments',
      'higherrorrate',
      'y'.repeat(50),
    ]);
    expect(alertTags(labels, [])).toEqual([]);
  });

  it('routes to the team of the first rule whose labels all match; {} matches everything; none: no team', () => {
    const routes: AlertRouteRule[] = [
      { match: { service: 'checkout', env: 'production' }, teamId: TEAM_A },
      { match: { service: 'checkout' }, teamId: TEAM_B },
      { match: {}, teamId: TEAM_A },
    ];
    expect(routeAlert(routes, { service: 'checkout', env: 'production' })).toBe(TEAM_A);
    expect(routeAlert(routes, { service: 'checkout', env: 'staging' })).toBe(TEAM_B);
    expect(routeAlert(routes, { service: 'search' })).toBe(TEAM_A);
    expect(routeAlert(routes.slice(0, 2), { service: 'search' })).toBeNull();
    expect(routeAlert([], { service: 'checkout' })).toBeNull();
  });

  it('fits the title into 5–200 characters and always gives the description its 10', () => {
    expect(alertTicketTitle('Up')).toBe('Alert: Up');
    expect(alertTicketTitle('t'.repeat(250))).toHaveLength(200);
    const startsAt = new Date('2026-11-30T09:58:12.000Z');
    expect(alertTicketDescription({ description: '', startsAt })).toBe('Alert firing since 2026-11-30T09:58:12.000Z.');
    expect(alertTicketDescription({ description: 'Disk 95% full.', startsAt })).toBe(
      'Disk 95% full.\n\nAlert firing since 2026-11-30T09:58:12.000Z.',
    );
    expect(alertTicketDescription({ description: 'd'.repeat(25_000), startsAt }).length).toBeLessThan(19_100);
  });

  it('turns an Alertmanager alert into the generic form (summary, description, severity, zero endsAt)', () => {
    const startsAt = new Date('2026-11-30T09:58:12.000Z');
    const alert = fromAlertmanager({
      status: AlertStatus.FIRING,
      labels: { alertname: 'HighErrorRate', severity: 'critical' },
      annotations: { summary: 'Checkout answers 5xx', description: 'Error rate 7%.' },
      startsAt,
      endsAt: new Date('0001-01-01T00:00:00Z'),
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: 'b5e0a4f1a5c2d3e4',
    });
    expect(alert).toEqual({
      fingerprint: 'b5e0a4f1a5c2d3e4',
      status: AlertStatus.FIRING,
      title: 'Checkout answers 5xx',
      description: 'Error rate 7%.',
      severity: AlertSeverity.CRITICAL,
      labels: { alertname: 'HighErrorRate', severity: 'critical' },
      startsAt,
      endsAt: null,
      source: 'alertmanager',
      generatorUrl: 'http://prometheus:9090/graph',
    });
    const bare = { status: AlertStatus.RESOLVED, labels: {}, annotations: {}, startsAt, fingerprint: 'f1' };
    expect(fromAlertmanager(bare)).toMatchObject({
      title: 'Alert f1',
      description: '',
      generatorUrl: null,
      endsAt: null,
    });
    expect(fromAlertmanager({ ...bare, labels: { alertname: 'NodeDown' }, generatorURL: '' })).toMatchObject({
      title: 'NodeDown',
      generatorUrl: null,
    });
  });

  it('assembles the ticket a firing asks for', () => {
    const startsAt = new Date('2026-11-30T09:58:12.000Z');
    const firing = toFiringAlert(
      {
        fingerprint: 'fp-1',
        status: AlertStatus.FIRING,
        title: 'Checkout answers 5xx',
        description: 'Error rate 7%.',
        severity: AlertSeverity.HIGH,
        labels: { alertname: 'HighErrorRate', env: 'production', service: 'checkout' },
        startsAt,
        endsAt: null,
        source: 'grafana',
        generatorUrl: null,
      },
      [{ match: { service: 'checkout' }, teamId: TEAM_B }],
      ['alertname'],
    );
    expect(firing).toEqual({
      fingerprint: 'fp-1',
      source: 'grafana',
      labels: { alertname: 'HighErrorRate', env: 'production', service: 'checkout' },
      generatorUrl: null,
      ticket: {
        title: 'Checkout answers 5xx',
        description: 'Error rate 7%.\n\nAlert firing since 2026-11-30T09:58:12.000Z.',
        priority: TicketPriority.P2,
        environment: TicketEnvironment.PRODUCTION,
        affectedService: 'checkout',
        tags: ['higherrorrate'],
        teamId: TEAM_B,
      },
    });
  });
});
