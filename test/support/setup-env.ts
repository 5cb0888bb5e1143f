import 'reflect-metadata';

// SLA arithmetic and timestamps are asserted in UTC.
process.env.TZ = process.env.TZ ?? 'UTC';
