import { InitialSchema1764201600000 } from './1764201600000-initial-schema';
import { OutboxEvents1764288000000 } from './1764288000000-outbox-events';

/** Every migration, oldest first. Landed migrations are never edited: add a new one instead. */
export const ALL_MIGRATIONS: Function[] = [InitialSchema1764201600000, OutboxEvents1764288000000];
