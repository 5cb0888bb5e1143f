import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Clock } from '../common/clock';
import { DEMO_USER_NAMES, DEMO_USERS, mintDemoToken } from '../common/auth/demo-users';
import { createRootLogger } from '../common/logging/logger';
import { parseConfig } from '../config/app-config';
import { createApp } from '../app.setup';
import { SlaBreachScanner } from '../modules/tickets';
import { NonEmptyDatabaseError, seedDemoQueue } from './demo-queue';

const TOKEN_TTL_SECONDS = 12 * 3600;

/**
 * `npm run seed -- --demo [--force]`: boots the service on a loopback port against DATABASE_URL (or the embedded
 * database; migrations run as on start), writes the demo queue through its API, records the SLA breach, and prints
 * each demo user's token. Stop the service first when it uses the embedded database (one process at a time).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { demo: { type: 'boolean' }, force: { type: 'boolean' } } });
  if (!values.demo) throw new Error('usage: npm run seed -- --demo [--force]');
  const config = parseConfig(process.env);
  if (config.app.environment === 'production') throw new Error('the demo queue is not for production (ENVIRONMENT)');
  const app = await createApp(
    {
      ...config,
      app: { ...config.app, docsEnabled: false },
      notifications: { ...config.notifications, enabled: false },
    },
    { logger: createRootLogger('warn') },
  );
  try {
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const clock = app.get(Clock);
    const realNow = clock.now.bind(clock);
    const queue = await seedDemoQueue(
      {
        baseUrl: `http://127.0.0.1:${port}`,
        tokenOf: (user) => mintDemoToken(config.auth, user, 300),
        setNow: (date) => {
          clock.now = date ? () => new Date(date.getTime()) : realNow;
        },
      },
      { force: values.force },
    );
    await app.get(SlaBreachScanner).scan();
    const counts = Object.entries(queue.tickets).map(([status, numbers]) => `${status} ${numbers.length}`);
    process.stdout.write(`Demo queue: teams ${queue.teams.join(', ')}; tickets ${counts.join(', ')}\n\n`);
    process.stdout.write(`Tokens (valid ${TOKEN_TTL_SECONDS / 3600} h; again later: npm run token -- --as NAME):\n\n`);
    for (const name of DEMO_USER_NAMES) {
      const user = DEMO_USERS[name];
      process.stdout.write(
        `${name} (${user.role}, ${user.part}):\n${mintDemoToken(config.auth, user, TOKEN_TTL_SECONDS)}\n\n`,
      );
    }
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`seed ${error instanceof NonEmptyDatabaseError ? 'refused' : 'failed'}: ${message}\n`);
  process.exit(1);
});
