import { ALERT_MATRIX } from './support/permissions/alerts';
import { describeMatrix } from './support/permissions/harness';

describeMatrix('permission matrix: alert intake and alert routes (issue 14)', ALERT_MATRIX);
