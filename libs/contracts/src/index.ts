export * from './enums';
export * from './workflow';
export * from './sla';
export * from './events';
export * from './client';
export type { paths, components, operations } from './generated/openapi';
