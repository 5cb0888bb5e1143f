import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { IsOmittable, TextField, UuidField } from '../../../common/http/fields';

export class MergeTicketDto {
  @UuidField({ description: 'The ticket that stays: it receives the comments, attachments and followers' })
  into_id!: string;

  @TextField({ min: 1, max: 2000, nullable: true, description: 'Why; also in the public comment on the target' })
  note?: string | null;

  @ApiProperty({
    required: false,
    type: 'integer',
    minimum: 1,
    maximum: 2 ** 31 - 1,
    description: "The target's version the merge is based on (its ETag); If-Match holds the source's",
  })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(2 ** 31 - 1)
  into_version?: number;
}
