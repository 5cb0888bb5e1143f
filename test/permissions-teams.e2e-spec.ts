import { describeMatrix } from './support/permissions/harness';
import { TEAM_MATRIX } from './support/permissions/teams';

describeMatrix('permission matrix: teams, members and team metrics (spec §4, §7)', TEAM_MATRIX);
