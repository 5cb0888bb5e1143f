import { describeMatrix } from './support/permissions/harness';
import { PLATFORM_MATRIX } from './support/permissions/platform';

describeMatrix(
  'permission matrix: SLA policies, change feed, webhooks and public endpoints (spec §3, §7, §9)',
  PLATFORM_MATRIX,
);
