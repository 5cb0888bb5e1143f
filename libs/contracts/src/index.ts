export * from './enums';
export * from './workflow';
export * from './sla';
export * from './client';
export type { paths, components, operations } from './generated/openapi';
