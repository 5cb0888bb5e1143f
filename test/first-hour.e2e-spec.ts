import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Role, TicketStatus } from '@ticketing/contracts';
import { DEMO_USERS, type DemoUser, mintDemoToken } from '../apps/ticket-service/src/common/auth/demo-users';
import { NonEmptyDatabaseError, seedDemoQueue } from '../apps/ticket-service/src/cli/demo-queue';
import { auth, createTicket } from './support/factories';
import { startServiceProcess } from './support/service-process';
import { startTestApp, TEST_JWT_SECRET, type TestApp, type TestUser } from './support/test-app';

/** The built token command (`npm run build`; `npm test` builds first). */
const MINT_TOKEN_JS = join(__dirname, '..', 'apps/ticket-service/dist/apps/ticket-service/src/cli/mint-token.js');
const ENSURE_BUILT_MJS = join(__dirname, '..', 'scripts/ensure-built.mjs');

/** scripts/ensure-built.mjs's verdict on a checkout at `root`, and what it records after a build. */
function ensureBuilt(
  root: string,
  action: 'state' | 'record',
): { fingerprint: string; built: boolean; current: boolean } {
  const program =
    `import { buildState, recordBuild } from ${JSON.stringify(ENSURE_BUILT_MJS)};` +
    `const state = buildState(process.argv[1]);` +
    `if (process.argv[2] === 'record') recordBuild(process.argv[1], state.fingerprint);` +
    `process.stdout.write(JSON.stringify(state));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', program, root, action], { encoding: 'utf8' }),
  );
}

/** Issue 12 §6: the first hour with the service. */
describe('first hour: tickets by number, 403s that name the rule, demo users and the demo queue', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  describe('GET /tickets/by-number/{ticket_number}', () => {
    const byNumber = (user: TestUser, number: string) =>
      t
        .http()
        .get(`/api/v1/tickets/by-number/${number}`)
        .set(...auth(user));

    it('finds a ticket by TKT-number or bare number, with the ETag of GET by id', async () => {
      const reporter = t.user(Role.END_USER);
      const ticket = await createTicket(t, reporter);
      const digits = String(Number(ticket.ticket_number.slice(4)));
      for (const number of [ticket.ticket_number, ticket.ticket_number.toLowerCase(), digits]) {
        const res = await byNumber(reporter, number).expect(200);
        expect(res.body).toMatchObject({ id: ticket.id, ticket_number: ticket.ticket_number });
        expect(res.headers.etag).toBe(`"${ticket.version}"`);
      }
      await byNumber(t.user(Role.DEVOPS_ENGINEER), ticket.ticket_number).expect(200);
    });

    it("answers 404 for another requester's ticket, a deleted one and an unused number", async () => {
      const ticket = await createTicket(t, t.user(Role.END_USER));
      const stranger = await byNumber(t.user(Role.END_USER), ticket.ticket_number).expect(404);
      expect(stranger.body).toMatchObject({ error_code: 'NOT_FOUND', detail: 'Ticket not found' });

      const admin = t.user(Role.ADMIN);
      await t
        .http()
        .delete(`/api/v1/tickets/${ticket.id}`)
        .set(...auth(admin))
        .expect(204);
      await byNumber(admin, ticket.ticket_number).expect(404);
      await byNumber(admin, 'TKT-999999999').expect(404);
    });

    it('refuses what is not a ticket number with 400 naming the parameter', async () => {
      for (const number of ['TKT-', 'TKT-0', 'ABC-000001', '12x']) {
        const res = await byNumber(t.user(Role.ADMIN), number).expect(400);
        expect(res.body).toMatchObject({
          error_code: 'VALIDATION_ERROR',
          errors: [{ field: 'ticket_number', message: expect.any(String) }],
        });
      }
    });
  });

  describe('403 names the rule that refused', () => {
    it('on a role-restricted route', async () => {
      const res = await t
        .http()
        .get('/api/v1/teams')
        .set(...auth(t.user(Role.END_USER)))
        .expect(403);
      expect(res.body).toMatchObject({
        error_code: 'FORBIDDEN',
        detail: 'This operation is for DEVOPS_ENGINEER, TEAM_LEAD, MANAGER, ADMIN; your role is END_USER',
      });
    });

    it('on a ticket the caller sees but may not change, and stays 404 on one they cannot see', async () => {
      const requester = t.user(Role.END_USER);
      const ticket = await createTicket(t, requester);
      const change = (user: TestUser, body: object) =>
        t
          .http()
          .patch(`/api/v1/tickets/${ticket.id}`)
          .set(...auth(user))
          .send(body);

      const engineer = await change(t.user(Role.DEVOPS_ENGINEER), { priority: 'P2' }).expect(403);
      expect(engineer.body.detail).toBe('Engineers may change only tickets assigned to them');
      const own = await change(requester, { priority: 'P2' }).expect(403);
      expect(own.body.detail).toBe('Requesters cannot change tickets (comment on them instead)');
      const stranger = await change(t.user(Role.END_USER), { priority: 'P2' }).expect(404);
      expect(stranger.body.detail).toBe('Ticket not found');
    });
  });

  it('npm run token -- --as NAME gives the same demo user every time', () => {
    const mint = () =>
      execFileSync(process.execPath, [MINT_TOKEN_JS, '--as', 'eng1'], {
        env: { PATH: process.env.PATH ?? '', ENVIRONMENT: 'test', JWT_SECRET_KEY: TEST_JWT_SECRET },
        encoding: 'utf8',
      }).trim();
    const [first, second] = [mint(), mint()];
    const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    for (const token of [first, second]) {
      expect(claims(token)).toMatchObject({ sub: DEMO_USERS.eng1.id, role: Role.DEVOPS_ENGINEER, username: 'eng1' });
    }
    expect(() =>
      execFileSync(process.execPath, [MINT_TOKEN_JS, '--as', 'mallory'], {
        env: { PATH: process.env.PATH ?? '', JWT_SECRET_KEY: TEST_JWT_SECRET },
        stdio: 'pipe',
      }),
    ).toThrow(/--as must be one of alice, eng1, lead, manager, admin/);
  });

  it('npm start and npm run token build only when a build input changed', () => {
    const root = mkdtempSync(join(tmpdir(), 'ensure-built-'));
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };
    try {
      for (const file of [
        'package-lock.json',
        'tsconfig.base.json',
        'apps/ticket-service/package.json',
        'apps/ticket-service/tsconfig.build.json',
        'libs/contracts/package.json',
        'libs/contracts/tsconfig.build.json',
        'apps/ticket-service/src/main.ts',
        'libs/contracts/src/index.ts',
        'migrations/index.ts',
      ])
        write(file, `// ${file}\n`);
      expect(ensureBuilt(root, 'state')).toMatchObject({ built: false, current: false });

      write('libs/contracts/dist/index.js', '');
      write('apps/ticket-service/dist/apps/ticket-service/src/main.js', '');
      expect(ensureBuilt(root, 'state')).toMatchObject({ built: true, current: false }); // never recorded
      ensureBuilt(root, 'record');
      expect(ensureBuilt(root, 'state').current).toBe(true);

      write('apps/ticket-service/src/main.ts', '// apps/ticket-service/src/main.ts\n'); // same content, new mtime
      write('apps/ticket-service/src/main.spec.ts', 'it.todo("not built");\n'); // specs are not built
      expect(ensureBuilt(root, 'state').current).toBe(true);

      write('apps/ticket-service/src/common/new-helper.ts', 'export const x = 1;\n');
      expect(ensureBuilt(root, 'state').current).toBe(false);
      ensureBuilt(root, 'record');
      write('libs/contracts/src/index.ts', 'export const changed = true;\n');
      expect(ensureBuilt(root, 'state').current).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a development start prints the token and a curl line as plain lines, and the curl line works', async () => {
    const service = await startServiceProcess('development-start', {
      ENVIRONMENT: 'development',
      LOG_LEVEL: 'info',
      PGLITE_DATA_DIR: 'memory://',
    });
    try {
      const lines = service.output().split('\n');
      const token = lines.find((line) => /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(line));
      expect(token).toBeDefined();
      await service.http().get('/api/v1/tickets').set('Authorization', `Bearer ${token}`).expect(200);
      const curl = lines.find((line) => line.startsWith('curl -X POST '));
      expect(curl).toContain(`Bearer ${token}`);
      const status = execSync(
        `${curl!.replace('http://localhost:', 'http://127.0.0.1:')} -s -o /dev/null -w '%{http_code}'`,
        {
          encoding: 'utf8',
        },
      );
      expect(status).toBe('201');
      // Nest's wiring (one line per module and route) is debug-only.
      expect(lines.filter((line) => /RouterExplorer|RoutesResolver|InstanceLoader/.test(line))).toEqual([]);
    } finally {
      await service.stop();
    }
  });

  describe('the demo queue', () => {
    let demo: TestApp;
    let baseUrl: string;
    const tokenOf = (user: DemoUser) => mintDemoToken(demo.config.auth, user, 600);
    const as = (user: DemoUser): TestUser => ({ id: user.id, role: user.role, token: tokenOf(user) });
    const get = (user: DemoUser, url: string) =>
      demo
        .http()
        .get(url)
        .set(...auth(as(user)))
        .expect(200);

    beforeAll(async () => {
      demo = await startTestApp();
      await demo.app.listen(0, '127.0.0.1');
      baseUrl = `http://127.0.0.1:${(demo.app.getHttpServer().address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await demo.close();
    });

    it('fills an empty database with teams, tickets in every status, comments, an attachment and a breach', async () => {
      const queue = await seedDemoQueue({ baseUrl, tokenOf, setNow: (date) => demo.setNow(date) });
      expect(Object.keys(queue.tickets).sort()).toEqual(Object.values(TicketStatus).sort());

      const { admin, alice, lead } = DEMO_USERS;
      const all = (await get(admin, '/api/v1/tickets?page_size=100')).body;
      expect(new Set(all.items.map((ticket: { status: string }) => ticket.status))).toEqual(
        new Set(Object.values(TicketStatus)),
      );
      const breached = all.items.filter((ticket: { response_breached: boolean }) => ticket.response_breached);
      expect(breached).toEqual([expect.objectContaining({ priority: 'P1', status: TicketStatus.NEW })]);

      const teams = (await get(admin, '/api/v1/teams')).body.items;
      expect(teams.map((team: { name: string }) => team.name).sort()).toEqual(['Database', 'Platform']);
      const platform = teams.find((team: { name: string }) => team.name === 'Platform');
      expect(platform.members).toEqual(
        expect.arrayContaining([
          { user_id: lead.id, role: 'LEAD' },
          { user_id: DEMO_USERS.eng1.id, role: 'MEMBER' },
        ]),
      );

      // alice sees only what she reported, with the public comments and her attachment.
      const hers = (await get(alice, '/api/v1/tickets?page_size=100')).body.items;
      expect(hers.length).toBe(all.total - 1);
      expect(hers.every((ticket: { reporter_id: string }) => ticket.reporter_id === alice.id)).toBe(true);
      const vpn = hers.find((ticket: { title: string }) => ticket.title === 'VPN drops every hour');
      expect((await get(alice, `/api/v1/tickets/${vpn.id}/attachments`)).body.items).toEqual([
        expect.objectContaining({ filename: 'vpn-client.log', uploaded_by: alice.id }),
      ]);
      const disk = all.items.find((ticket: { title: string }) => ticket.title === 'CI runners out of disk');
      const staffComments = (await get(lead, `/api/v1/tickets/${disk.id}/comments`)).body.items;
      expect(staffComments.map((comment: { is_internal: boolean }) => comment.is_internal).sort()).toEqual([
        false,
        true,
      ]);
    });

    it('refuses a database that already holds tickets or teams, unless forced', async () => {
      await expect(seedDemoQueue({ baseUrl, tokenOf, setNow: (date) => demo.setNow(date) })).rejects.toThrow(
        NonEmptyDatabaseError,
      );
      const before = (await get(DEMO_USERS.admin, '/api/v1/tickets?page_size=1')).body.total;
      await seedDemoQueue({ baseUrl, tokenOf, setNow: (date) => demo.setNow(date) }, { force: true });
      expect((await get(DEMO_USERS.admin, '/api/v1/tickets?page_size=1')).body.total).toBe(before * 2);
      expect((await get(DEMO_USERS.admin, '/api/v1/teams')).body.total).toBe(2);
    });
  });
});
