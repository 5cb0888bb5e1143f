import { describeMatrix } from './support/permissions/harness';
import { ITEM_MATRIX } from './support/permissions/items';

describeMatrix('permission matrix: comments, attachments and internal content (spec §7)', ITEM_MATRIX);
