import { PageDto } from '../../../common/http/pagination';
import { ApiProperty } from '@nestjs/swagger';
import { TeamMemberRole } from '@ticketing/contracts';
import { IsEnum } from 'class-validator';
import { TextField, UuidField } from '../../../common/http/fields';

export const MAX_TEAM_NAME_LENGTH = 100;

export class CreateTeamDto {
  @TextField({ min: 2, max: MAX_TEAM_NAME_LENGTH, example: 'Platform' })
  name!: string;
}

export class UpdateTeamDto extends CreateTeamDto {}

export class AddTeamMemberDto {
  @UuidField({ description: 'The user to add (or whose role to change)' })
  user_id!: string;

  @ApiProperty({ enum: TeamMemberRole, enumName: 'TeamMemberRole', example: TeamMemberRole.MEMBER })
  @IsEnum(TeamMemberRole)
  role!: TeamMemberRole;
}

export class TeamMemberDto {
  @ApiProperty({ format: 'uuid' })
  user_id!: string;

  @ApiProperty({ enum: TeamMemberRole, enumName: 'TeamMemberRole' })
  role!: TeamMemberRole;
}

export class TeamDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Platform', maxLength: MAX_TEAM_NAME_LENGTH })
  name!: string;

  @ApiProperty({ type: [TeamMemberDto] })
  members!: TeamMemberDto[];

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class TeamPageDto extends PageDto(TeamDto) {}
