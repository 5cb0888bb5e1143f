import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { parseConfig } from '../config/app-config';
import { buildDataSourceOptions } from '../database/data-source-options';
import { openDatabaseEndpoint } from '../database/database-endpoint';

/** Runs pending migrations against DATABASE_URL, or the embedded database when it is unset. */
async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const endpoint = await openDatabaseEndpoint(config.db);
  const dataSource = new DataSource({ ...buildDataSourceOptions(endpoint.settings), migrationsRun: false });
  try {
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    process.stdout.write(
      applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}\n` : 'schema is up to date\n',
    );
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await endpoint.embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
