import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { moduleBoundaryZones } from '../eslint/module-boundaries.mjs';

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'apps/ticket-service/src');

/** Only the boundary rule, exactly as eslint.config.mjs configures it (without type information, so it is quick). */
function boundaryLinter(): ESLint {
  return new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { 'import-x': importX },
        settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })] },
        rules: { 'import-x/no-restricted-paths': ['error', { zones: moduleBoundaryZones() }] },
      },
    ],
  });
}

async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await boundaryLinter().lintText(source, { filePath: join(SRC, file) });
  return result.messages.map((message) => message.message);
}

describe('module boundaries (npm run lint)', () => {
  it('refuses a module reaching into a module it may not depend on', async () => {
    const errors = await boundaryErrors(
      'modules/teams/teams.service.ts',
      `import { Ticket } from '../tickets/ticket.entity';\nexport type Leak = Ticket;\n`,
    );
    expect(errors).toEqual([expect.stringContaining('The teams module may not depend on tickets')]);
  });

  it('refuses an allowed dependency that bypasses the public entry', async () => {
    const errors = await boundaryErrors(
      'modules/comments/comments.service.ts',
      `import { Ticket } from '../tickets/ticket.entity';\nexport type Leak = Ticket;\n`,
    );
    expect(errors).toEqual([
      expect.stringContaining("Import the tickets module through its public entry ('../tickets')"),
    ]);
  });

  it('refuses common/ importing a module', async () => {
    const errors = await boundaryErrors(
      'common/access/access-gate.ts',
      `import { TeamDirectory } from '../../modules/teams';\nexport type Leak = TeamDirectory;\n`,
    );
    expect(errors).toEqual([expect.stringContaining('common/ is below every module')]);
  });

  it('accepts an allowed dependency through its public entry', async () => {
    expect(
      await boundaryErrors(
        'modules/comments/comments.service.ts',
        `import { TicketsService } from '../tickets';\nexport type Allowed = TicketsService;\n`,
      ),
    ).toEqual([]);
  });

  it('refuses a dependency graph with a cycle', () => {
    expect(() => moduleBoundaryZones({ tickets: ['teams'], teams: ['tickets'] })).toThrow(
      'Module dependency cycle: tickets → teams → tickets',
    );
  });
});

/** Which module owns (is the only one to name in SQL) each table; common/idempotency owns its keys. */
const TABLE_OWNERS: Record<string, string> = {
  tickets: 'modules/tickets',
  ticket_history: 'modules/history',
  comments: 'modules/comments',
  attachments: 'modules/attachments',
  attachment_storage_intents: 'modules/attachments',
  teams: 'modules/teams',
  team_members: 'modules/teams',
  sla_policies: 'modules/sla',
  sla_calendars: 'modules/sla',
  outbox_events: 'modules/notifications',
  webhook_subscriptions: 'modules/notifications',
  webhook_deliveries: 'modules/notifications',
  webhook_attempts: 'modules/notifications',
  idempotency_keys: 'common/idempotency',
  alert_routes: 'modules/alerts',
};

function productSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return productSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('table ownership', () => {
  const sources = productSources(SRC).map((path) => ({
    file: relative(SRC, path),
    text: readFileSync(path, 'utf8'),
  }));

  it.each(Object.entries(TABLE_OWNERS))('only %s names its table in SQL: %s', (table, owner) => {
    const sql = new RegExp(`\\b(INSERT INTO|UPDATE|DELETE FROM|FROM|JOIN)\\s+${table}\\b`, 'i');
    const outside = sources.filter(({ file, text }) => !file.startsWith(`${owner}/`) && sql.test(text));
    expect(outside.map(({ file }) => file)).toEqual([]);
  });

  it('no module but tickets loads the Ticket entity (so none can save one)', () => {
    const users = sources.filter(
      ({ file, text }) => !file.startsWith('modules/tickets/') && /\bticket\.entity['"]/.test(text),
    );
    expect(users.map(({ file }) => file)).toEqual([]);
  });
});
