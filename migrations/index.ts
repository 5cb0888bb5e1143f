import { InitialSchema1764201600000 } from './1764201600000-initial-schema';

/** Every migration, oldest first. Landed migrations are never edited: add a new one instead. */
export const ALL_MIGRATIONS: Function[] = [InitialSchema1764201600000];
