import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CommitStatement } from './commit-statement';
import { buildDataSourceOptions } from './data-source-options';
import { type DatabaseEndpoint, openDatabaseEndpoint } from './database-endpoint';
import { SearchDatabase } from './search-database';

export const DATABASE_ENDPOINT = Symbol('DATABASE_ENDPOINT');

/** Owns the one database endpoint (and the embedded server, when there is one). */
@Module({
  providers: [
    {
      provide: DATABASE_ENDPOINT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => openDatabaseEndpoint(config.db),
    },
  ],
  exports: [DATABASE_ENDPOINT],
})
class DatabaseEndpointModule {}

@Global()
@Module({
  imports: [
    DatabaseEndpointModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseEndpointModule],
      inject: [DATABASE_ENDPOINT],
      // Entities come from each module's TypeOrmModule.forFeature; the migration command needs none.
      useFactory: (endpoint: DatabaseEndpoint) => ({
        ...buildDataSourceOptions(endpoint.settings),
        autoLoadEntities: true,
      }),
    }),
  ],
  providers: [
    CommitStatement,
    {
      provide: SearchDatabase,
      inject: [DataSource, DATABASE_ENDPOINT, APP_CONFIG],
      useFactory: (dataSource: DataSource, endpoint: DatabaseEndpoint, config: AppConfig) =>
        SearchDatabase.open(dataSource, endpoint, {
          poolSize: config.db.searchPoolSize,
          timeoutMs: config.db.searchStatementTimeoutMs,
        }),
    },
  ],
  exports: [DatabaseEndpointModule, SearchDatabase, CommitStatement],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE_ENDPOINT) private readonly endpoint: DatabaseEndpoint,
    private readonly dataSource: DataSource,
    private readonly search: SearchDatabase,
  ) {}

  /** Closes the pools before the embedded server they talk to. */
  async onApplicationShutdown(): Promise<void> {
    await this.search.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.endpoint.embedded?.stop();
  }
}
