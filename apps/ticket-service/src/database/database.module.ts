import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { buildDataSourceOptions } from './data-source-options';
import { type DatabaseEndpoint, openDatabaseEndpoint } from './database-endpoint';

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
  exports: [DatabaseEndpointModule],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE_ENDPOINT) private readonly endpoint: DatabaseEndpoint,
    private readonly dataSource: DataSource,
  ) {}

  /** Closes the pool before the embedded server it talks to. */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.endpoint.embedded?.stop();
  }
}
