/** Every TypeORM entity of the service; modules add theirs here so the migration command sees them too. */
export const ALL_ENTITIES: Function[] = [];
