import {
  type components,
  createTicketClient,
  ImpactLevel,
  TeamMemberRole,
  TicketCategory,
  TicketEnvironment,
  TicketPriority,
  TicketStatus,
  type TicketClient,
} from '@ticketing/contracts';
import { DEMO_TEAM, DEMO_USERS, type DemoUser, type DemoUserName, OTHER_DEMO_TEAM } from '../common/auth/demo-users';

/** The running service the demo queue is written to, through its public API as the demo users. */
export interface DemoQueueTarget {
  /** Origin of the service, e.g. `http://127.0.0.1:8002`. */
  baseUrl: string;
  tokenOf(user: DemoUser): string;
  /** Sets the service's clock (null: real time again), so the queue has a past: ages, SLA clocks, a breach. */
  setNow(date: Date | null): void;
}

export interface DemoQueueOptions {
  /** Add the queue to a database that already holds tickets or teams (refused otherwise). */
  force?: boolean;
}

export interface DemoQueue {
  teams: string[];
  /** Ticket numbers by status. */
  tickets: Partial<Record<`${TicketStatus}`, string[]>>;
}

export class NonEmptyDatabaseError extends Error {}

const HOUR = 3_600_000;

/** What a call answered when it had to succeed: its body, or an error naming the step. */
async function expectData<T>(step: string, call: Promise<{ data?: T; error?: unknown; response: Response }>) {
  const { data, error, response } = await call;
  if (data === undefined) throw new Error(`demo queue: ${step} answered ${response.status} ${JSON.stringify(error)}`);
  return data;
}

/**
 * A small, realistic queue for trying the service: two teams (DEMO_TEAM led by `lead` with `eng1`), tickets in
 * every status with comments, an internal note, an attachment and one P1 whose SLA is breached. Everything goes
 * through the API, so validation, the workflow, history, SLA clocks and events are the service's own.
 */
export async function seedDemoQueue(target: DemoQueueTarget, options: DemoQueueOptions = {}): Promise<DemoQueue> {
  const as = (name: DemoUserName): TicketClient =>
    createTicketClient({ baseUrl: target.baseUrl, token: target.tokenOf(DEMO_USERS[name]) });
  const admin = as('admin');
  const tickets = await expectData(
    'list tickets',
    admin.GET('/api/v1/tickets', { params: { query: { page_size: 1 } } }),
  );
  const teams = await expectData('list teams', admin.GET('/api/v1/teams', { params: { query: { page_size: 100 } } }));
  if ((tickets.total > 0 || teams.total > 0) && !options.force) {
    throw new NonEmptyDatabaseError(
      `the database already holds ${tickets.total} tickets and ${teams.total} teams: ` +
        'the demo queue goes into an empty one (--force adds it anyway)',
    );
  }

  const realNow = Date.now();
  const hoursAgo = (hours: number) => target.setNow(new Date(realNow - hours * HOUR));
  const queue: DemoQueue = { teams: [DEMO_TEAM, OTHER_DEMO_TEAM], tickets: {} };
  try {
    hoursAgo(168);
    const teamId = async (name: string) =>
      teams.items.find((team) => team.name === name)?.id ??
      (await expectData(`create team ${name}`, as('manager').POST('/api/v1/teams', { body: { name } }))).id;
    const platform = await teamId(DEMO_TEAM);
    const database = await teamId(OTHER_DEMO_TEAM);
    for (const [user, role] of [
      [DEMO_USERS.lead, TeamMemberRole.LEAD],
      [DEMO_USERS.eng1, TeamMemberRole.MEMBER],
    ] as const) {
      const added = await as('manager').POST('/api/v1/teams/{team_id}/members', {
        params: { path: { team_id: platform } },
        body: { user_id: user.id, role },
      });
      if (added.response.status !== 201 && added.response.status !== 409) {
        throw new Error(`demo queue: add ${user.name} to ${DEMO_TEAM} answered ${added.response.status}`);
      }
    }

    /** One ticket's life: opened `hours` ago by `reporter`, then each step an hour (or as given) later. */
    const open = async (hours: number, reporter: DemoUserName, body: components['schemas']['TicketFieldsDto']) => {
      hoursAgo(hours);
      const ticket = await expectData(`open "${body.title}"`, as(reporter).POST('/api/v1/tickets', { body }));
      const path = { params: { path: { ticket_id: ticket.id } } };
      let status: `${TicketStatus}` = TicketStatus.NEW;
      const life = {
        at(hoursBefore: number) {
          hoursAgo(hoursBefore);
          return life;
        },
        async assign(by: DemoUserName, assignee: DemoUserName) {
          const assigned = await expectData(
            'assign',
            as(by).PUT('/api/v1/tickets/{ticket_id}/assign', {
              ...path,
              body: { assignee_id: DEMO_USERS[assignee].id },
            }),
          );
          status = assigned.status;
        },
        async comment(by: DemoUserName, content: string, isInternal = false) {
          await expectData(
            'comment',
            as(by).POST('/api/v1/tickets/{ticket_id}/comments', {
              ...path,
              body: { content, is_internal: isInternal },
            }),
          );
        },
        async move(by: DemoUserName, to: TicketStatus, notes?: string) {
          const moved = await expectData(
            `move to ${to}`,
            as(by).PATCH('/api/v1/tickets/{ticket_id}/status', { ...path, body: { status: to, notes } }),
          );
          status = moved.status;
        },
        async resolve(by: DemoUserName, resolutionNotes: string) {
          const resolved = await expectData(
            'resolve',
            as(by).POST('/api/v1/tickets/{ticket_id}/resolve', {
              ...path,
              body: { resolution_notes: resolutionNotes },
            }),
          );
          status = resolved.status;
        },
        async reopen(by: DemoUserName, reason: string) {
          const reopened = await expectData(
            'reopen',
            as(by).POST('/api/v1/tickets/{ticket_id}/reopen', { ...path, body: { reason } }),
          );
          status = reopened.status;
        },
        async attach(by: DemoUserName, filename: string, text: string) {
          await expectData(
            'attach',
            as(by).uploadAttachment({ ticketId: ticket.id, file: new Blob([text], { type: 'text/plain' }), filename }),
          );
        },
        done() {
          (queue.tickets[status] ??= []).push(ticket.ticket_number);
        },
      };
      return life;
    };

    // The breach: a P1 nobody answered; its one-hour response target passed five hours ago.
    (
      await open(6, 'alice', {
        title: 'Payments API returns 502 for 5% of requests',
        description: 'Since 09:00 UTC checkout fails intermittently with 502 from payments-api; customers retry.',
        category: TicketCategory.INCIDENT,
        priority: TicketPriority.P1,
        environment: TicketEnvironment.PRODUCTION,
        affected_service: 'payments-api',
        impact_level: ImpactLevel.HIGH,
        team_id: database,
        tags: ['payments', 'latency'],
      })
    ).done();

    (
      await open(2, 'alice', {
        title: 'Grafana dashboards take 30 s to load',
        description: 'The service overview dashboard got slow this morning; other dashboards seem fine.',
        category: TicketCategory.QUESTION,
        tags: ['grafana', 'monitoring'],
      })
    ).done();

    const vpn = await open(30, 'alice', {
      title: 'VPN drops every hour',
      description: 'My VPN tunnel disconnects roughly every 60 minutes since Monday; reconnecting works.',
      category: TicketCategory.INCIDENT,
      priority: TicketPriority.P2,
      team_id: platform,
      tags: ['vpn', 'network'],
    });
    await vpn.at(29).assign('lead', 'eng1');
    await vpn.comment('eng1', 'Looking at it: can you attach the VPN client log from the last drop?');
    await vpn.at(28).attach('alice', 'vpn-client.log', '2026-11-30T10:00:03Z tunnel down: peer dead (DPD timeout)\n');
    vpn.done();

    const disk = await open(20, 'eng1', {
      title: 'CI runners out of disk',
      description: 'Three of the eight CI runners stopped taking jobs: no space left on /var/lib/docker.',
      category: TicketCategory.INCIDENT,
      priority: TicketPriority.P2,
      environment: TicketEnvironment.PRODUCTION,
      affected_service: 'ci-runners',
      team_id: platform,
    });
    await disk.assign('eng1', 'eng1');
    await disk.at(19).move('eng1', TicketStatus.IN_PROGRESS);
    await disk.comment('lead', 'Prune them now; if this recurs this month we size the volumes up instead.');
    await disk.comment('eng1', 'Runner 3 is at 98% again an hour after pruning: its volume is the odd one.', true);
    disk.done();

    const access = await open(10, 'alice', {
      title: 'Access to the staging Kubernetes namespace',
      description: 'I need to deploy the new reporting job to staging; please grant access to its namespace.',
      category: TicketCategory.SERVICE_REQUEST,
      priority: TicketPriority.P4,
      environment: TicketEnvironment.STAGING,
    });
    await access.at(9).assign('eng1', 'eng1');
    await access.comment('eng1', "Which team's namespace, and do you need read-only or deploy rights?");
    await access.move('eng1', TicketStatus.PENDING_INFO);
    access.done();

    const failover = await open(4, 'alice', {
      title: 'Database failover did not promote the replica',
      description: 'During last night’s maintenance the replica stayed read-only for 12 minutes after failover.',
      category: TicketCategory.PROBLEM,
      priority: TicketPriority.P2,
      environment: TicketEnvironment.PRODUCTION,
      affected_service: 'orders-db',
      team_id: platform,
    });
    await failover.at(3).assign('lead', 'eng1');
    await failover.move('eng1', TicketStatus.IN_PROGRESS);
    await failover.comment('eng1', 'The promotion script timed out waiting for the WAL replay.');
    await failover.at(2).move('eng1', TicketStatus.ESCALATED, 'Needs the database team: the script is theirs');
    failover.done();

    const tls = await open(50, 'alice', {
      title: 'Expired TLS certificate on the status page',
      description: 'Browsers warn that status.example.com has an expired certificate.',
      category: TicketCategory.INCIDENT,
      priority: TicketPriority.P2,
      affected_service: 'status-page',
    });
    await tls.at(49.5).assign('eng1', 'eng1');
    await tls.comment('eng1', 'Renewing now; the ACME job had lost its DNS credentials.');
    await tls
      .at(49)
      .resolve('eng1', 'Certificate renewed; the renewal job has its credentials back and alerts 14 days ahead.');
    tls.done();

    const mail = await open(120, 'alice', {
      title: 'Password reset e-mails not arriving',
      description: 'Users report that password reset e-mails never arrive since the mail relay upgrade.',
      category: TicketCategory.INCIDENT,
      priority: TicketPriority.P3,
      affected_service: 'mail-relay',
    });
    await mail.at(119).assign('eng1', 'eng1');
    await mail.comment('eng1', 'The new relay rejects our sender domain: SPF record is missing the new IP.');
    await mail.at(100).resolve('eng1', 'SPF record updated; queued mails were re-sent.');
    await mail.at(96).move('alice', TicketStatus.CLOSED, 'Confirmed: mails arrive again.');
    mail.done();

    const backup = await open(70, 'alice', {
      title: 'Nightly backup job failed',
      description: 'The nightly backup of the orders database reported failure at 02:10 UTC.',
      category: TicketCategory.INCIDENT,
      priority: TicketPriority.P2,
      affected_service: 'orders-db',
      team_id: platform,
    });
    await backup.at(69).assign('eng1', 'eng1');
    await backup.comment('eng1', 'Disk of the backup host was full; cleared old snapshots and re-ran the job.');
    await backup.at(60).resolve('eng1', 'Old snapshots pruned, job re-ran successfully.');
    await backup.at(5).reopen('alice', 'It failed again last night with the same error.');
    backup.done();
  } finally {
    target.setNow(null);
  }
  return queue;
}
