import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '@ticketing/contracts';
import { DataSource } from 'typeorm';
import servicePackage from '../../../package.json';
import type { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { DomainError } from '../../common/errors/domain-error';
import type { HealthDto, ReadinessDto } from './health.dto';

const DATABASE_PROBE_TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  liveness(): HealthDto {
    return {
      status: 'healthy',
      service: 'ticket-service',
      version: servicePackage.version,
      environment: this.config.app.environment,
    };
  }

  /** Ready only when the database answers a query within the probe timeout. */
  async readiness(): Promise<ReadinessDto> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error('database probe timed out')), DATABASE_PROBE_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.dataSource.query('SELECT 1'), timeout]);
      return { status: 'ready', checks: { database: 'up' } };
    } catch {
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'The database is unavailable', {
        headers: { 'Retry-After': '5' },
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
