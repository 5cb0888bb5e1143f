import { describeMatrix } from './support/permissions/harness';
import { QUEUE_MATRIX } from './support/permissions/queue';

describeMatrix('permission matrix: ticket links, followers, merge and bulk updates (issue 15)', QUEUE_MATRIX);
