import { AlertSeverity, type AlertStatus, TicketEnvironment, TicketPriority } from '@ticketing/contracts';
import type { FiringAlert } from '../tickets';

/** One alert as both intake routes receive it, whatever its wire format. */
export interface IncomingAlert {
  fingerprint: string;
  status: AlertStatus;
  title: string;
  description: string;
  severity: AlertSeverity;
  labels: Record<string, string>;
  startsAt: Date;
  endsAt: Date | null;
  source: string | null;
  generatorUrl: string | null;
}

/** An alert route: every label of `match` must carry exactly that value (an empty match takes every alert). */
export interface AlertRouteRule {
  match: Record<string, string>;
  teamId: string;
}

const SEVERITY_PRIORITY: Record<AlertSeverity, TicketPriority> = {
  [AlertSeverity.CRITICAL]: TicketPriority.P1,
  [AlertSeverity.HIGH]: TicketPriority.P2,
  [AlertSeverity.WARNING]: TicketPriority.P3,
  [AlertSeverity.INFO]: TicketPriority.P4,
};

/** Severity → priority (critical P1 … info P4); a `priority` label of P1–P4 (any case) overrides it. */
export function alertPriority(severity: AlertSeverity, labels: Record<string, string>): TicketPriority {
  const override = labels.priority?.trim().toUpperCase();
  return (Object.values(TicketPriority) as string[]).includes(override ?? '')
    ? (override as TicketPriority)
    : SEVERITY_PRIORITY[severity];
}

/** Alertmanager has no fixed severity scale: the four known names (any case) map, anything else is a warning. */
export function severityFromLabel(value: string | undefined): AlertSeverity {
  const name = value?.trim().toLowerCase();
  return (Object.values(AlertSeverity) as string[]).includes(name ?? '')
    ? (name as AlertSeverity)
    : AlertSeverity.WARNING;
}

const ENVIRONMENT_NAMES: Record<string, TicketEnvironment> = {
  production: TicketEnvironment.PRODUCTION,
  prod: TicketEnvironment.PRODUCTION,
  prd: TicketEnvironment.PRODUCTION,
  staging: TicketEnvironment.STAGING,
  stage: TicketEnvironment.STAGING,
  stg: TicketEnvironment.STAGING,
  development: TicketEnvironment.DEVELOPMENT,
  dev: TicketEnvironment.DEVELOPMENT,
  testing: TicketEnvironment.TESTING,
  test: TicketEnvironment.TESTING,
  qa: TicketEnvironment.TESTING,
};

/** The `environment` (or else `env`) label, when it names one of the ticket environments (common short forms too). */
export function alertEnvironment(labels: Record<string, string>): TicketEnvironment | null {
  const value = (labels.environment ?? labels.env)?.trim().toLowerCase();
  return value === undefined ? null : (ENVIRONMENT_NAMES[value] ?? null);
}

const MAX_AFFECTED_SERVICE = 200;

/** The `service` (or else `job`) label. */
export function alertAffectedService(labels: Record<string, string>): string | null {
  const value = [labels.service, labels.job].map((label) => label?.trim()).find(Boolean);
  return value ? value.slice(0, MAX_AFFECTED_SERVICE) : null;
}

const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 50;

/** The values of the configured labels, as ticket tags are stored: trimmed, lower-cased, de-duplicated, ≤ 50 chars. */
export function alertTags(labels: Record<string, string>, tagLabels: readonly string[]): string[] {
  const values = tagLabels
    .map((name) => labels[name]?.trim().toLowerCase().slice(0, MAX_TAG_LENGTH))
    .filter((value): value is string => Boolean(value));
  return [...new Set(values)].slice(0, MAX_TAGS);
}

/** The team of the first route whose every label matches; null when none does. */
export function routeAlert(routes: readonly AlertRouteRule[], labels: Record<string, string>): string | null {
  const route = routes.find((candidate) =>
    Object.entries(candidate.match).every(([name, value]) => labels[name] === value),
  );
  return route?.teamId ?? null;
}

const TITLE = { min: 5, max: 200 };
/** Room is left for the line linking a previous ticket (the description's limit is 20,000). */
const MAX_ALERT_TEXT = 19_000;

/** The ticket's title: the alert's, made to fit the ticket's 5–200 characters. */
export function alertTicketTitle(title: string): string {
  const fitted = title.length < TITLE.min ? `Alert: ${title}` : title;
  return fitted.length > TITLE.max ? `${fitted.slice(0, TITLE.max - 1)}…` : fitted;
}

/** The ticket's description: the alert's text and when it started (so it always has the ticket's 10 characters). */
export function alertTicketDescription(alert: Pick<IncomingAlert, 'description' | 'startsAt'>): string {
  const text = alert.description.slice(0, MAX_ALERT_TEXT);
  const started = `Alert firing since ${alert.startsAt.toISOString()}.`;
  return text ? `${text}\n\n${started}` : started;
}

/** What a firing alert asks of the tickets module. */
export function toFiringAlert(
  alert: IncomingAlert,
  routes: readonly AlertRouteRule[],
  tagLabels: readonly string[],
): FiringAlert {
  return {
    fingerprint: alert.fingerprint,
    source: alert.source,
    labels: alert.labels,
    generatorUrl: alert.generatorUrl,
    ticket: {
      title: alertTicketTitle(alert.title),
      description: alertTicketDescription(alert),
      priority: alertPriority(alert.severity, alert.labels),
      environment: alertEnvironment(alert.labels),
      affectedService: alertAffectedService(alert.labels),
      tags: alertTags(alert.labels, tagLabels),
      teamId: routeAlert(routes, alert.labels),
    },
  };
}

/** An alert of an Alertmanager webhook (payload version 4), after validation. */
export interface AlertmanagerAlert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  endsAt?: Date;
  generatorURL?: string;
  fingerprint: string;
}

/**
 * Alertmanager → the generic form: the title from the `summary` annotation (else `alertname`), the text from
 * `description` (else `message`), the severity from the `severity` label. Alertmanager sends the zero time
 * (`0001-01-01T00:00:00Z`) as `endsAt` of alerts still firing: that is no end.
 */
export function fromAlertmanager(alert: AlertmanagerAlert): IncomingAlert {
  const { labels, annotations } = alert;
  const endsAt = alert.endsAt && alert.endsAt.getUTCFullYear() >= 1970 ? alert.endsAt : null;
  return {
    fingerprint: alert.fingerprint,
    status: alert.status,
    title:
      [annotations.summary, labels.alertname].map((text) => text?.trim()).find(Boolean) ?? `Alert ${alert.fingerprint}`,
    description: (annotations.description ?? annotations.message ?? '').trim(),
    severity: severityFromLabel(labels.severity),
    labels,
    startsAt: alert.startsAt,
    endsAt,
    source: 'alertmanager',
    generatorUrl: alert.generatorURL?.trim() || null,
  };
}

/** An alert of the generic form (`POST /alerts`), after validation. */
export interface GenericAlert {
  fingerprint: string;
  status: AlertStatus;
  title: string;
  description: string;
  severity: AlertSeverity;
  labels: Record<string, string>;
  starts_at: Date;
  ends_at?: Date;
  source?: string;
  generator_url?: string;
}

export function fromGeneric(alert: GenericAlert): IncomingAlert {
  return {
    fingerprint: alert.fingerprint,
    status: alert.status,
    title: alert.title,
    description: alert.description,
    severity: alert.severity,
    labels: alert.labels,
    startsAt: alert.starts_at,
    endsAt: alert.ends_at ?? null,
    source: alert.source ?? null,
    generatorUrl: alert.generator_url ?? null,
  };
}
