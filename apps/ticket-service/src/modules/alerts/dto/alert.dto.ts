import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AlertOutcome, AlertSeverity, AlertStatus } from '@ticketing/contracts';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsOmittable, TextField } from '../../../common/http/fields';
import { IsTimestamp } from '../../../common/http/timestamp';
import { IsStringMap, LABEL_NAME, type StringMapLimits } from './string-map';

export const MAX_ALERTS_PER_REQUEST = 1000;
const LABELS: StringMapLimits = { key: LABEL_NAME, maxEntries: 64, maxValueLength: 1000 };
/** Annotations are free text (descriptions, runbooks), so longer values. */
const ANNOTATIONS: StringMapLimits = { key: LABEL_NAME, maxEntries: 64, maxValueLength: 20_000 };
const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

const labelsSchema = (example: Record<string, string>, description: string) =>
  ({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 1000 },
    maxProperties: 64,
    example,
    description,
  }) as const;

const timestamp = (description: string, required = true) =>
  ({ type: String, format: 'date-time', required, description }) as const;

/** `POST /alerts`: one alert in the service's own format. */
export class GenericAlertDto {
  @TextField({
    min: 1,
    max: 200,
    example: 'checkout-5xx-prod',
    description: 'The alert identity: at most one open ticket per fingerprint',
  })
  fingerprint!: string;

  @ApiProperty({ enum: AlertStatus, enumName: 'AlertStatus' })
  @IsEnum(AlertStatus)
  status!: AlertStatus;

  @TextField({ min: 1, max: 200, example: 'Checkout answers 5xx for 7% of requests' })
  title!: string;

  @TextField({ min: 1, max: 20_000, example: 'The error rate of checkout has been above 5% for 10 minutes.' })
  description!: string;

  @ApiProperty({
    enum: AlertSeverity,
    enumName: 'AlertSeverity',
    description: 'critical P1, high P2, warning P3, info P4',
  })
  @IsEnum(AlertSeverity)
  severity!: AlertSeverity;

  @ApiProperty(
    labelsSchema(
      { service: 'checkout', env: 'production', team: 'payments' },
      'Label names as in Prometheus; env/environment, service/job, priority and the ALERT_TAG_LABELS fill ticket fields',
    ),
  )
  @IsStringMap(LABELS)
  labels!: Record<string, string>;

  @ApiProperty(timestamp('When the alert started (RFC 3339)'))
  @IsTimestamp()
  starts_at!: Date;

  @ApiProperty(timestamp('When it ended (resolved alerts); the resolved note names it', false))
  @IsOmittable()
  @IsTimestamp()
  ends_at?: Date;

  @TextField({ min: 1, max: 100, optional: true, example: 'grafana', description: 'The sending system' })
  source?: string;

  @ApiProperty({ required: false, type: String, maxLength: 2000, example: 'https://grafana.example.com/d/checkout' })
  @IsOmittable()
  @IsString()
  @Length(1, 2000)
  @IsUrl(URL_OPTIONS)
  generator_url?: string;
}

/** One alert of an Alertmanager webhook notification (payload version 4). */
export class AlertmanagerAlertDto {
  @ApiProperty({ enum: AlertStatus, enumName: 'AlertStatus' })
  @IsEnum(AlertStatus)
  status!: AlertStatus;

  @ApiProperty(
    labelsSchema({ alertname: 'HighErrorRate', severity: 'critical', service: 'checkout' }, 'The alert labels'),
  )
  @IsStringMap(LABELS)
  labels!: Record<string, string>;

  @ApiProperty(
    labelsSchema({ summary: 'Checkout answers 5xx', description: 'Error rate above 5%.' }, 'summary, description, …'),
  )
  @IsStringMap(ANNOTATIONS)
  annotations!: Record<string, string>;

  @ApiProperty(timestamp('RFC 3339'))
  @IsTimestamp()
  startsAt!: Date;

  @ApiProperty(timestamp('RFC 3339; `0001-01-01T00:00:00Z` while the alert fires', false))
  @IsOmittable()
  @IsTimestamp()
  endsAt?: Date;

  @ApiProperty({ required: false, type: String, maxLength: 2000, description: 'Link to the alert rule (may be empty)' })
  @IsOmittable()
  @IsString()
  @Length(0, 2000)
  generatorURL?: string;

  @TextField({ min: 1, max: 200, example: 'b5e0a4f1a5c2d3e4', description: 'Alertmanager’s fingerprint of the labels' })
  fingerprint!: string;
}

/** The body Alertmanager's webhook receiver posts (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export class AlertmanagerPayloadDto {
  @ApiProperty({ enum: ['4'], description: 'Payload version; only 4 is understood' })
  @IsIn(['4'])
  version!: '4';

  @ApiProperty({ required: false, type: String, maxLength: 2000 })
  @IsOmittable()
  @IsString()
  @Length(0, 2000)
  groupKey?: string;

  @ApiProperty({
    required: false,
    type: 'integer',
    minimum: 0,
    maximum: 2 ** 31 - 1,
    description: 'Alerts left out by max_alerts',
  })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  truncatedAlerts?: number;

  @ApiProperty({ required: false, enum: AlertStatus, enumName: 'AlertStatus' })
  @IsOmittable()
  @IsEnum(AlertStatus)
  status?: AlertStatus;

  @ApiProperty({ required: false, type: String, maxLength: 200 })
  @IsOmittable()
  @IsString()
  @Length(0, 200)
  receiver?: string;

  @ApiPropertyOptional(labelsSchema({ alertname: 'HighErrorRate' }, 'Labels the group shares'))
  @IsOptional()
  @IsStringMap(LABELS)
  groupLabels?: Record<string, string>;

  @ApiPropertyOptional(labelsSchema({ alertname: 'HighErrorRate' }, 'Labels every alert has'))
  @IsOptional()
  @IsStringMap(LABELS)
  commonLabels?: Record<string, string>;

  @ApiPropertyOptional(labelsSchema({ summary: 'Checkout answers 5xx' }, 'Annotations every alert has'))
  @IsOptional()
  @IsStringMap(ANNOTATIONS)
  commonAnnotations?: Record<string, string>;

  @ApiProperty({ required: false, type: String, maxLength: 2000, description: 'The Alertmanager’s own URL' })
  @IsOmittable()
  @IsString()
  @Length(0, 2000)
  externalURL?: string;

  @ApiProperty({ type: [AlertmanagerAlertDto], minItems: 1, maxItems: MAX_ALERTS_PER_REQUEST })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ALERTS_PER_REQUEST)
  @ValidateNested({ each: true })
  @Type(() => AlertmanagerAlertDto)
  alerts!: AlertmanagerAlertDto[];
}

/** What the intake did with one alert. */
export class AlertIntakeItemDto {
  @ApiProperty({ example: 'checkout-5xx-prod', maxLength: 200 })
  fingerprint!: string;

  @ApiProperty({ enum: AlertOutcome, enumName: 'AlertOutcome' })
  outcome!: AlertOutcome;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Null when the alert was ignored' })
  ticket_id!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'TKT-000123', maxLength: 24 })
  ticket_number!: string | null;
}

/** Per alert, in the order received. */
export class AlertIntakeResultDto {
  @ApiProperty({ type: [AlertIntakeItemDto], maxItems: MAX_ALERTS_PER_REQUEST })
  items!: AlertIntakeItemDto[];
}
