import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The committed OpenAPI document, read as the fuzzer and the permission matrix use it. */
const OPENAPI_DOCUMENT_PATH = join(__dirname, '..', '..', 'libs', 'contracts', 'openapi.json');

/** The part of OpenAPI 3.0's schema object the service's document uses. */
export interface Schema {
  $ref?: string;
  type?: 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  additionalProperties?: boolean | Schema;
  example?: unknown;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}

interface MediaType {
  schema?: Schema;
}

/** A response header, or a `$ref` to one of components.headers. */
export interface HeaderObject {
  $ref?: string;
  required?: boolean;
  schema?: Schema;
}

export interface ResponseObject {
  content?: Record<string, MediaType>;
  headers?: Record<string, HeaderObject>;
}

interface OperationObject {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, Schema>; headers?: Record<string, HeaderObject> };
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** One operation of the document, with what the fuzzer needs at hand. */
export interface Operation {
  id: string;
  method: HttpMethod;
  /** The path template, e.g. `/api/v1/tickets/{ticket_id}`. */
  path: string;
  parameters: Parameter[];
  /** The media type of the request body and its schema, when the operation takes one. */
  body: { mediaType: string; schema: Schema } | null;
  responses: Record<string, ResponseObject>;
  /** Whether the operation needs a bearer token. */
  secured: boolean;
}

export function loadOpenApiDocument(): OpenApiDocument {
  return JSON.parse(readFileSync(OPENAPI_DOCUMENT_PATH, 'utf8')) as OpenApiDocument;
}

/** Every operation of the document, in its order. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item[method] !== undefined).map((method) => {
      const operation = item[method];
      const [mediaType, media] = Object.entries(operation.requestBody?.content ?? {})[0] ?? [];
      return {
        id: operation.operationId,
        method,
        path,
        parameters: operation.parameters ?? [],
        body: mediaType !== undefined && media?.schema ? { mediaType, schema: media.schema } : null,
        responses: operation.responses,
        secured: (operation.security ?? []).length > 0,
      };
    }),
  );
}

/** Follows `$ref`s and single-element `allOf` wrappers (how the generator annotates a referenced schema). */
export function resolveSchema(document: OpenApiDocument, schema: Schema): Schema {
  let current = schema;
  for (;;) {
    if (current.$ref !== undefined) {
      const name = current.$ref.replace('#/components/schemas/', '');
      const target = document.components.schemas[name];
      if (target === undefined) throw new Error(`unknown schema ${current.$ref}`);
      current = { ...target, ...(current.nullable ? { nullable: true } : {}) };
    } else if (current.allOf?.length === 1 && current.type === undefined) {
      const { allOf, ...rest } = current;
      current = { ...allOf[0], ...rest };
    } else {
      return current;
    }
  }
}
