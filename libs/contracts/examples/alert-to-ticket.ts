// Turns a monitoring alert (one alert of an Alertmanager webhook) into a ticket with the typed client, attaches
// the alert as JSON and, when the alert fires again, finds the same ticket instead of opening another.
//
//   npx tsc -p libs/contracts/examples   # after npm run build
//   TICKET_SERVICE_URL=http://localhost:8002 TICKET_SERVICE_TOKEN=$(npm run --silent token -- --as eng1) \
//     node libs/contracts/examples/dist/alert-to-ticket.js < alert.json
//
// (CI runs alertToTicket against the service in test/contracts-examples.e2e-spec.ts.)
import { readFileSync } from 'node:fs';
import {
  createTicketClient,
  ImpactLevel,
  responseMeta,
  TicketCategory,
  TicketEnvironment,
  TicketPriority,
  type TicketClient,
} from '@ticketing/contracts';

/** One alert as Alertmanager posts it to a webhook receiver. */
export interface Alert {
  status: 'firing' | 'resolved';
  labels: { alertname: string; severity?: string; service?: string; env?: string; [label: string]: string | undefined };
  annotations: { summary?: string; description?: string; runbook_url?: string };
  startsAt: string;
  fingerprint: string;
}

const PRIORITY: Record<string, TicketPriority> = { critical: TicketPriority.P1, warning: TicketPriority.P3 };
const IMPACT: Record<string, ImpactLevel> = { critical: ImpactLevel.HIGH, warning: ImpactLevel.MEDIUM };
const ENVIRONMENT: Record<string, TicketEnvironment> = {
  prod: TicketEnvironment.PRODUCTION,
  production: TicketEnvironment.PRODUCTION,
  staging: TicketEnvironment.STAGING,
};

export interface AlertTicket {
  id: string;
  ticketNumber: string;
  /** False when the alert had already opened this ticket (same fingerprint). */
  created: boolean;
}

export async function alertToTicket(client: TicketClient, alert: Alert): Promise<AlertTicket> {
  const severity = alert.labels.severity ?? 'warning';
  const { data, error, response } = await client.POST('/api/v1/tickets', {
    body: {
      title: `[${severity}] ${alert.annotations.summary ?? alert.labels.alertname}`.slice(0, 200),
      description: [
        alert.annotations.description ?? `Alert ${alert.labels.alertname} is ${alert.status}.`,
        `Firing since ${alert.startsAt}.`,
        alert.annotations.runbook_url ? `Runbook: ${alert.annotations.runbook_url}` : '',
      ].join('\n'),
      category: TicketCategory.INCIDENT,
      priority: PRIORITY[severity] ?? TicketPriority.P4,
      impact_level: IMPACT[severity] ?? ImpactLevel.LOW,
      environment: ENVIRONMENT[alert.labels.env ?? ''] ?? null,
      affected_service: alert.labels.service ?? null,
      tags: ['alert', alert.labels.alertname.toLowerCase().slice(0, 50)],
    },
    // The same alert re-sent by Alertmanager is the same request: the service answers with the first ticket.
    headers: { 'Idempotency-Key': `alert-${alert.fingerprint}` },
  });
  if (!data) throw new Error(`ticket not created: ${response.status} ${error?.detail}`);
  const created = !responseMeta(response).idempotentReplayed;
  if (created) {
    const upload = await client.uploadAttachment({
      ticketId: data.id,
      file: new Blob([JSON.stringify(alert, null, 2)], { type: 'application/json' }),
      filename: `alert-${alert.fingerprint}.json`,
    });
    if (!upload.data) throw new Error(`alert not attached: ${upload.response.status} ${upload.error?.detail}`);
  }
  return { id: data.id, ticketNumber: data.ticket_number, created };
}

async function main(): Promise<void> {
  const baseUrl = process.env.TICKET_SERVICE_URL ?? 'http://localhost:8002';
  const client = createTicketClient({ baseUrl, token: process.env.TICKET_SERVICE_TOKEN });
  const alert = JSON.parse(readFileSync(0, 'utf8')) as Alert;
  const ticket = await alertToTicket(client, alert);
  process.stdout.write(`${ticket.created ? 'opened' : 'already open:'} ${ticket.ticketNumber} (${ticket.id})\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
