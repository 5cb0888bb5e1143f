import { describeMatrix } from './support/permissions/harness';
import { BOLA_MATRIX, MASS_ASSIGNMENT_MATRIX } from './support/permissions/probes';

describeMatrix('BOLA probes: another user’s resource id in every id position', BOLA_MATRIX);
describeMatrix('mass-assignment probes: server-managed fields in every write', MASS_ASSIGNMENT_MATRIX);
