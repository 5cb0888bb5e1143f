import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AccessModule } from './common/access/access.module';
import { AuthModule } from './common/auth/auth.module';
import { ContextModule } from './common/context/context.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { HttpConventionsModule } from './common/http/content-type.guard';
import { RateLimitModule } from './common/http/rate-limit';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { JobsModule } from './common/jobs/job-scheduler';
import { MetricsRegistryModule } from './common/metrics/metrics-registry';
import type { AppConfig } from './config/app-config';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AlertsModule } from './modules/alerts';
import { AttachmentsModule } from './modules/attachments';
import { CommentsModule } from './modules/comments';
import { HealthModule } from './modules/health';
import { HistoryModule } from './modules/history';
import { MetricsModule } from './modules/metrics';
import { NotificationsModule } from './modules/notifications';
import { SlaModule } from './modules/sla';
import { TeamMetricsModule } from './modules/team-metrics';
import { TeamsModule } from './modules/teams';
import { TicketsModule } from './modules/tickets';

/**
 * Composition root: the domain modules, the global guard, filter and interceptor. It is also where a lower
 * layer gets what it needs from a module above it (the access gate's team memberships), so common/ imports no
 * module. The order is the order of the API document's paths.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        DatabaseModule,
        ContextModule,
        MetricsRegistryModule,
        JobsModule,
        RateLimitModule,
        AuthModule,
        HttpConventionsModule,
        IdempotencyModule,
        HealthModule,
        MetricsModule,
        AccessModule.forRoot(TeamsModule),
        TeamsModule,
        SlaModule,
        TeamMetricsModule,
        TicketsModule,
        HistoryModule,
        CommentsModule,
        AttachmentsModule,
        NotificationsModule,
        AlertsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
