import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, ValidateNested } from 'class-validator';
import { UuidField } from '../../../common/http/fields';
import { IsStringMap, LABEL_NAME } from './string-map';

export const MAX_ALERT_ROUTES = 100;

/** Alerts whose labels carry every `match` value go to `team_id`. */
export class AlertRouteDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', maxLength: 200 },
    maxProperties: 20,
    example: { service: 'checkout', env: 'production' },
    description: 'Label → exact value; all must match ({} matches every alert)',
  })
  @IsStringMap({ key: LABEL_NAME, maxEntries: 20, maxValueLength: 200 })
  match!: Record<string, string>;

  @UuidField({ description: 'The team the ticket goes to' })
  team_id!: string;
}

/** The routing rules, first match wins; PUT replaces the whole list. */
export class AlertRoutesDto {
  @ApiProperty({ type: [AlertRouteDto], maxItems: MAX_ALERT_ROUTES })
  @IsArray()
  @ArrayMaxSize(MAX_ALERT_ROUTES)
  @ValidateNested({ each: true })
  @Type(() => AlertRouteDto)
  routes!: AlertRouteDto[];
}
