import { loadOpenApiDocument, operationsOf, resolveSchema, type Schema } from '../openapi-document';
import type { RouteKey } from './harness';

/** The committed OpenAPI document, read as routes: what the coverage suite and the probes derive from it. */

export interface DocumentedRoute {
  route: RouteKey;
  operationId: string;
  /** Path parameters that hold ids (format uuid). */
  idParams: string[];
  /** The media type of the request body, when there is one. */
  bodyType: string | null;
  /** The request body's properties. */
  bodyProperties: Record<string, Schema>;
  /** The properties of the 2xx answer's body (empty without one). */
  responseProperties: Record<string, Schema>;
}

const document = loadOpenApiDocument();
const resolve = (schema: Schema | undefined): Schema => (schema ? resolveSchema(document, schema) : {});

/** `/api/v1/tickets/{ticket_id}` → `/api/v1/tickets/:ticket_id`. */
export const expressPath = (path: string) => path.replace(/\{([^}]+)\}/g, ':$1');

export const DOCUMENTED_ROUTES: DocumentedRoute[] = operationsOf(document).map((operation): DocumentedRoute => {
  const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'))?.[1];
  const answer = Object.values(success?.content ?? {})[0];
  return {
    route: `${operation.method.toUpperCase()} ${expressPath(operation.path)}` as RouteKey,
    operationId: operation.id,
    idParams: operation.parameters
      .filter((parameter) => parameter.in === 'path' && resolve(parameter.schema).format === 'uuid')
      .map((parameter) => parameter.name),
    bodyType: operation.body?.mediaType ?? null,
    bodyProperties: resolve(operation.body?.schema).properties ?? {},
    responseProperties: resolve(answer?.schema).properties ?? {},
  };
});

const SAMPLES_BY_TYPE: Record<string, unknown> = {
  integer: 7,
  number: 7,
  boolean: true,
  array: [],
  string: 'set-by-the-client',
};

/** A value of the property's documented type (for sending a field the route must refuse). */
export function sampleValue(schema: Schema): unknown {
  const resolved = resolve(schema);
  if (resolved.enum) return resolved.enum[resolved.enum.length - 1];
  if (resolved.format === 'uuid') return crypto.randomUUID();
  if (resolved.format === 'date-time') return '2030-01-01T00:00:00.000Z';
  return SAMPLES_BY_TYPE[resolved.type ?? 'object'] ?? {};
}
