/** Every migration, oldest first. Landed migrations are never edited: add a new one instead. */
export const ALL_MIGRATIONS: Function[] = [];
