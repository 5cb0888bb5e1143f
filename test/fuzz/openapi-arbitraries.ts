import fc from 'fast-check';
import {
  type HttpMethod,
  type OpenApiDocument,
  type Operation,
  type Parameter,
  resolveSchema,
  type Schema,
} from '../support/openapi-document';

/** One request as it goes on the wire: the path already encoded, headers in order (repeats allowed). */
export interface FuzzRequest {
  /** The credential sent (one of FuzzContext.credentials), for the checks that depend on it. */
  credential: Credential;
  method: HttpMethod;
  path: string;
  headers: [string, string][];
  body: Buffer | null;
}

/** `valid`: every part of the request as the document describes it; `hostile`: any part may be anything. */
type Mode = 'valid' | 'hostile';

/** An `Authorization` header (null: none) and whether the service must accept it. */
export interface Credential {
  label: string;
  header: string | null;
  /** How often it is picked in hostile requests. */
  weight: number;
  /** A valid token of one of the five roles: valid requests use only these. */
  authenticates: boolean;
}

/** What the generators may use besides the document: real ids to reach deep handlers, and credentials. */
export interface FuzzContext {
  /** Real ids of seeded fixtures, by the name of the path parameter or field that takes them. */
  ids: Readonly<Record<string, readonly string[]>>;
  /** The `Authorization` headers to send. */
  credentials: readonly Credential[];
}

/** Strings that have broken parsers, databases and renderers before: each is sent where text is expected. */
const HOSTILE_STRINGS = [
  '',
  ' ',
  '   \t\n  ',
  '\u0000',
  'before\u0000after',
  '\uD800',
  'lone \uDC00 low surrogate',
  '\u202Egnp.exe',
  'right\u200Fto\u200Eleft',
  '\uFEFFbom',
  'e\u0301\u0301\u0301',
  '🧨💥🔥',
  'Ｆｕｌｌｗｉｄｔｈ',
  "' OR '1'='1",
  '"; DROP TABLE tickets; --',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '%00%0d%0a',
  '%s%s%s%n',
  '${jndi:ldap://example.invalid/a}',
  '{{7*7}}',
  '\\',
  'null',
  'true',
  '-1',
  'NaN',
  '1e309',
  '__proto__',
  'constructor',
  'A'.repeat(10_001),
  'é'.repeat(5_000),
];

/** Keys that name Object.prototype members: parsers and mappers have mishandled every one of them. */
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

/** Fields a client must never set (server-managed): a mass-assignment probe adds them to bodies. */
const SERVER_MANAGED_FIELDS = [
  'id',
  'status',
  'reporter_id',
  'assignee_id',
  'version',
  'created_at',
  'resolved_at',
  'response_breached',
  'author_id',
  'uploaded_by',
  'active',
  'is_admin',
];

/** Just past the service's limit of 32, well past it, and deep enough to overflow recursive code. */
const NESTING_DEPTHS = [33, 200, 10_000];

/** Arrays nested `depth` levels deep, as JSON text (JSON.stringify would overflow on the value itself). */
const nestedJson = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);

/** Arbitrary text: printable, any code point (lone surrogates included), or hostile. */
const anyText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map(String.fromCharCode) }) },
  { weight: 2, arbitrary: hostileString },
);

/** Percent-encodes every byte of the UTF-8 form except the unreserved characters (lone surrogates become U+FFFD). */
function percentEncode(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/**
 * Node refuses a request line and headers above 16 KiB with a bare 431 before any application code runs; values in
 * the URL stay well below that (huge strings go into bodies).
 */
const MAX_URL_COMPONENT = 2_000;

/** A value as one percent-encoded URL component, short enough for the server to read the request at all. */
function urlComponent(values: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return values
    .map((value) => percentEncode(queryText(value)))
    .filter((encoded) => encoded.length <= MAX_URL_COMPONENT);
}

/** Printable ASCII, the only thing an HTTP header value can carry here. */
const headerText = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map(String.fromCharCode), minLength: 1, maxLength });

const isoTimestamp = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());

/** The generators of one document: valid, boundary and invalid values for its schemas, and whole requests. */
export class OpenApiArbitraries {
  constructor(
    private readonly document: OpenApiDocument,
    private readonly context: FuzzContext,
  ) {}

  /** A value the schema accepts (`name` picks real ids for id fields). */
  valid(schema: Schema, name: string, depth = 0): fc.Arbitrary<unknown> {
    const resolved = resolveSchema(this.document, schema);
    const value = this.validOfType(resolved, name, depth);
    return resolved.nullable ? fc.oneof({ weight: 4, arbitrary: value }, fc.constant(null)) : value;
  }

  /** A value at or beyond the schema's bounds, of the wrong type, null, or hostile text. */
  invalid(schema: Schema, name: string): fc.Arbitrary<unknown> {
    const resolved = resolveSchema(this.document, schema);
    const wrongType = fc.oneof(
      fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 1e21, '', 'x', [], {}, [null], { value: 1 }),
      fc.jsonValue({ maxDepth: 2 }),
      anyText,
    );
    return fc.oneof(wrongType, this.boundaryOfType(resolved, name));
  }

  /** Mostly valid, sometimes not: the value of a field in a body that is otherwise well-formed. */
  field(schema: Schema, name: string): fc.Arbitrary<unknown> {
    return fc.oneof({ weight: 4, arbitrary: this.valid(schema, name) }, this.invalid(schema, name));
  }

  /**
   * A whole request for `operation`: well-formed in every part (so the handler's own rules run), or hostile in
   * any part (path, query, credentials, headers, content type, body).
   */
  request(operation: Operation): fc.Arbitrary<FuzzRequest> {
    return fc.oneof(
      { weight: 2, arbitrary: this.requestOf(operation, 'valid') },
      { weight: 3, arbitrary: this.requestOf(operation, 'hostile') },
    );
  }

  private requestOf(operation: Operation, mode: Mode): fc.Arbitrary<FuzzRequest> {
    const parameters = (where: Parameter['in']) => operation.parameters.filter((parameter) => parameter.in === where);
    return fc
      .record({
        path: this.path(operation.path, parameters('path'), mode),
        query: this.query(parameters('query'), mode),
        credential: this.credential(operation, mode),
        headers: this.documentedHeaders(parameters('header'), mode),
        requestId: fc.option(fc.oneof(headerText(64), headerText(300), fc.constant('fuzz-request')), { freq: 4 }),
        body: this.body(operation, mode),
      })
      .map(({ path, query, credential, headers, requestId, body }) => ({
        credential,
        method: operation.method,
        path: query ? `${path}?${query}` : path,
        headers: [
          ...(credential.header === null ? [] : [['Authorization', credential.header] as [string, string]]),
          ...headers,
          ...(requestId === null ? [] : [['X-Request-ID', requestId] as [string, string]]),
          ...body.headers,
        ],
        body: body.bytes,
      }));
  }

  private validOfType(schema: Schema, name: string, depth: number): fc.Arbitrary<unknown> {
    const examples = schema.example !== undefined && typeof schema.example !== 'object' ? [schema.example] : [];
    if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
    switch (schema.type) {
      case 'string':
        if (schema.format === 'uuid') return this.id(name);
        if (schema.format === 'date-time') return isoTimestamp;
        if (name === 'url') return fc.constantFrom('https://hooks.example.com/tickets', 'http://127.0.0.1:9/hook');
        if (schema.pattern !== undefined) {
          const matching = fc
            .stringMatching(new RegExp(schema.pattern))
            .filter((text) => text.length <= (schema.maxLength ?? Infinity));
          return fc.oneof(...examples.map((example) => fc.constant(example)), matching);
        }
        return fc.oneof(
          ...examples.map((example) => fc.constant(example)),
          fc
            .string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 60, 80) })
            .map((text) => text.padEnd(schema.minLength ?? 0, 'x')),
        );
      case 'integer':
      case 'number':
        return fc.integer({ min: schema.minimum ?? -1_000, max: Math.min(schema.maximum ?? 1_000, 1_000_000) });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(this.valid(schema.items ?? {}, name, depth + 1), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min(schema.maxItems ?? 5, 5),
        });
      case 'object':
      case undefined:
        return depth > 3 ? fc.constant({}) : this.object(schema, depth);
    }
  }

  private boundaryOfType(schema: Schema, name: string): fc.Arbitrary<unknown> {
    const candidates: unknown[] = [null];
    if (schema.enum !== undefined) {
      const first = String(schema.enum[0]);
      candidates.push(first.toLowerCase(), ` ${first}`, `${first} `, 'NOT_A_VALUE', schema.enum);
    }
    switch (schema.type) {
      case 'string':
        if (schema.format === 'uuid') {
          const real = this.context.ids[name]?.[0] ?? '3f1c7f9e-2b7a-4c1d-9a55-0f6d1c2b3a4e';
          candidates.push(real.toUpperCase(), real.replaceAll('-', ''), `${real}x`, real.slice(1), 'me', 'none');
          candidates.push('00000000-0000-0000-0000-000000000000');
        } else if (schema.format === 'date-time') {
          candidates.push('2026-02-30T00:00:00Z', '2026-05-04', 'now', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z');
          candidates.push('+275760-09-13T00:00:00.000Z', '2026-05-04T08:00:00+14:00', '2026-05-04T08:00:00.123456789Z');
        } else {
          const { minLength = 0, maxLength } = schema;
          if (maxLength !== undefined) candidates.push('a'.repeat(maxLength), 'a'.repeat(maxLength + 1));
          if (minLength > 0)
            candidates.push('a'.repeat(minLength - 1), 'a'.repeat(minLength), ' '.repeat(minLength + 2));
          candidates.push(`${'a'.repeat(minLength)}\u0000`);
        }
        break;
      case 'integer':
      case 'number': {
        const { minimum = 0, maximum = 1_000_000 } = schema;
        candidates.push(minimum - 1, minimum, maximum, maximum + 1, 0, -0, 1.5, 2 ** 31, 2 ** 53 + 1, -1e308);
        candidates.push(String(minimum), `${maximum}0`);
        break;
      }
      case 'boolean':
        candidates.push('true', 'false', 1, 0);
        break;
      case 'array': {
        const items = schema.maxItems ?? 20;
        candidates.push(Array.from({ length: items + 1 }, (_, index) => `item-${index}`));
        candidates.push(
          Array.from({ length: 1_000 }, () => 'same'),
          [[]],
          [null],
          'not-an-array',
          { 0: 'a' },
        );
        break;
      }
      case 'object':
      case undefined:
        candidates.push([{}], 'not-an-object', 42);
    }
    return fc.oneof(fc.constantFrom(...candidates), anyText);
  }

  /** Real fixture ids most of the time (so deep handlers run), otherwise a random UUID. */
  private id(name: string): fc.Arbitrary<string> {
    const real = this.context.ids[name] ?? [];
    return real.length === 0
      ? fc.uuid()
      : fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: fc.uuid() });
  }

  /** An object of the schema: every required property, some optional ones, each mostly valid. */
  private object(schema: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const properties = Object.entries(schema.properties ?? {});
    const model = Object.fromEntries(
      properties.map(([name, property]) => [name, this.valid(property, name, depth + 1)]),
    );
    return fc.record(model, { requiredKeys: schema.required ?? [] });
  }

  private path(template: string, parameters: Parameter[], mode: Mode): fc.Arbitrary<string> {
    const values = parameters.map((parameter) => {
      const schema = resolveSchema(this.document, parameter.schema);
      const valid = this.valid(schema, parameter.name);
      const hostile = fc.oneof(this.invalid(schema, parameter.name), fc.constantFrom('..', '%2F', ' '));
      const value = mode === 'valid' ? valid : fc.oneof({ weight: 3, arbitrary: valid }, hostile);
      // An empty segment would name another route, not this operation.
      return urlComponent(value)
        .filter((encoded) => encoded.length > 0)
        .map((encoded) => [parameter.name, encoded] as const);
    });
    return fc
      .tuple(...values)
      .map((pairs) => pairs.reduce((path, [name, value]) => path.replace(`{${name}}`, value), template));
  }

  /**
   * The documented query parameters (each present or not, valid or not; arrays repeated), plus unknown,
   * repeated, prototype-named, bracketed and malformed ones.
   */
  private query(parameters: Parameter[], mode: Mode): fc.Arbitrary<string> {
    const documented = parameters.map((parameter) => {
      const schema = resolveSchema(this.document, parameter.schema);
      const single = (itemSchema: Schema) => {
        const valid = this.valid(itemSchema, parameter.name);
        const value =
          mode === 'valid'
            ? valid
            : fc.oneof({ weight: 2, arbitrary: valid }, this.invalid(itemSchema, parameter.name));
        return urlComponent(value).map((encoded) => `${parameter.name}=${encoded}`);
      };
      const values =
        schema.type === 'array'
          ? fc.array(single(schema.items ?? {}), { minLength: 1, maxLength: 3 })
          : mode === 'valid'
            ? single(schema).map((pair) => [pair])
            : fc.oneof(
                { weight: 4, arbitrary: single(schema).map((pair) => [pair]) },
                fc.tuple(single(schema), single(schema)),
              );
      return fc.option(values, { freq: 2 });
    });
    const extra = fc.oneof(
      fc
        .tuple(fc.constantFrom('unknown', 'debug', 'admin', 'sort'), urlComponent(anyText))
        .map(([key, value]) => `${key}=${value}`),
      fc.constantFrom(...PROTOTYPE_KEYS).map((key) => `${key}=1`),
      fc.constantFrom('__proto__[polluted]=1', 'constructor[prototype][polluted]=1', 'page[]=1', 'status[0]=NEW'),
      fc.constantFrom(
        'a[b][c][d][e][f][g][h][i]=1',
        'page=%zz',
        'q=%E0%A4%A',
        '=',
        '&&',
        'page',
        'page_size=1&page_size=2',
      ),
    );
    const extras = mode === 'valid' ? fc.constant([]) : fc.array(extra, { maxLength: 2 });
    return fc
      .tuple(fc.tuple(...documented), extras)
      .map(([pairs, added]) => [...pairs.flatMap((pair) => pair ?? []), ...added].join('&'));
  }

  /** A role's token in valid requests (none on public endpoints); any credential, hostile ones included, otherwise. */
  private credential(operation: Operation, mode: Mode): fc.Arbitrary<Credential> {
    const { credentials } = this.context;
    if (mode === 'hostile') {
      return fc.oneof(
        ...credentials.map((credential) => ({ weight: credential.weight, arbitrary: fc.constant(credential) })),
      );
    }
    const usable = credentials.filter((credential) =>
      operation.secured ? credential.authenticates : credential.header === null,
    );
    return fc.constantFrom(...usable);
  }

  private documentedHeaders(parameters: Parameter[], mode: Mode): fc.Arbitrary<[string, string][]> {
    const headers = parameters
      // A valid request leaves If-Match out: the fuzzer cannot know the version the target is at.
      .filter((parameter) => mode === 'hostile' || parameter.name !== 'If-Match')
      .map((parameter) =>
        fc.option(
          headerValue(parameter.name, mode).map((value) => [parameter.name, value] as [string, string]),
          {
            freq: 2,
          },
        ),
      );
    return fc.tuple(...headers).map((pairs) => pairs.filter((pair): pair is [string, string] => pair !== null));
  }

  private body(operation: Operation, mode: Mode): fc.Arbitrary<{ headers: [string, string][]; bytes: Buffer | null }> {
    if (operation.body?.mediaType === 'multipart/form-data') {
      return multipartBody(this, operation.body.schema, mode);
    }
    const json = (text: string) => ({
      headers: [['Content-Type', 'application/json']] as [string, string][],
      bytes: Buffer.from(text),
    });
    if (mode === 'valid') {
      if (operation.body === null) return fc.constant({ headers: [], bytes: null });
      return this.valid(operation.body.schema, 'body').map((body) => json(JSON.stringify(body)));
    }
    const stray = fc.constantFrom(
      { contentType: 'application/json', text: '{"unexpected":true}' },
      { contentType: 'application/json', text: '{}' },
      { contentType: 'text/plain', text: 'plain text body' },
    );
    const content =
      operation.body === null
        ? fc.option(stray, { freq: 3 }) // a body where none is expected
        : jsonBody(this, resolveSchema(this.document, operation.body.schema)).map((text) => ({
            contentType: 'application/json',
            text,
          }));
    return fc.tuple(content, contentTypeOverride).map(([sent, override]) => {
      if (sent === null) return { headers: [], bytes: null };
      const contentType = override === undefined ? sent.contentType : override;
      return {
        headers: contentType === null ? [] : [['Content-Type', contentType] as [string, string]],
        bytes: Buffer.from(sent.text, 'utf8'),
      };
    });
  }
}

/** Query values as text: strings as they are, everything else as JSON. */
function queryText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Values for the header parameters the document names: right ones in valid requests, any otherwise. */
function headerValue(name: string, mode: Mode): fc.Arbitrary<string> {
  const generic = headerText(40);
  const pick = (valid: fc.Arbitrary<string>, hostile: fc.Arbitrary<string>) =>
    mode === 'valid' ? valid : fc.oneof(valid, hostile, generic);
  switch (name) {
    case 'If-Match':
      return pick(
        fc.integer({ min: 1, max: 5 }).map((version) => `"${version}"`),
        fc.constantFrom('*', 'W/"1"', '"1", "2"', '1', '""'),
      );
    case 'If-None-Match':
      return pick(fc.constantFrom('"abc"', '*'), fc.constantFrom('W/"x"', '"0000", *', ''));
    case 'Range':
      return pick(
        fc.constantFrom('bytes=0-10', 'bytes=-5', 'bytes=5-', 'bytes=0-0'),
        fc.oneof(
          fc.constantFrom('bytes=10-0', 'bytes=0-1,3-4', 'bytes=99999999-', 'items=0-1', 'bytes=-0', 'bytes='),
          fc
            .tuple(fc.integer({ min: -5, max: 100 }), fc.integer({ min: -5, max: 100 }))
            .map(([from, to]) => `bytes=${from}-${to}`),
        ),
      );
    case 'Idempotency-Key':
      // A few fixed keys, so a retry with the same or another body happens within one run.
      return pick(fc.constantFrom('fuzz-key-1', 'fuzz-key-2'), fc.oneof(headerText(255), headerText(300)));
    default:
      return generic;
  }
}

/** The Content-Type actually sent with a body: mostly the right one, otherwise wrong, odd or missing (null). */
const contentTypeOverride = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<string | null>(
      'application/json; charset=utf-8',
      'application/merge-patch+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=fuzz',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/xml',
      'application/json; boundary=x; charset=utf-8; charset=ascii',
      null,
    ),
  },
);

/**
 * A JSON body for the schema as text: valid; valid with some fields wrong, missing or unknown (server-managed
 * fields included); or hostile as a whole (prototype keys, duplicate keys, deep nesting, another JSON type,
 * malformed text, a body above the 1 MiB limit).
 */
function jsonBody(arbitraries: OpenApiArbitraries, schema: Schema): fc.Arbitrary<string> {
  const properties = Object.entries(schema.properties ?? {});
  const valid = arbitraries.valid(schema, 'body') as fc.Arbitrary<Record<string, unknown>>;
  const fieldChange =
    properties.length === 0
      ? fc.constant(null)
      : fc.constantFrom(...properties).chain(([name, property]) =>
          fc.oneof(
            arbitraries.invalid(property, name).map((value) => ({ name, value })),
            fc.constant({ name, value: undefined }),
          ),
        );
  const unknownField = fc.tuple(
    fc.oneof(fc.constantFrom(...SERVER_MANAGED_FIELDS), fc.string({ minLength: 1, maxLength: 12 })),
    fc.jsonValue({ maxDepth: 2 }),
  );
  const mutated = fc
    .tuple(valid, fc.array(fieldChange, { minLength: 1, maxLength: 3 }), fc.option(unknownField, { freq: 3 }))
    .map(([body, changes, unknown]) => {
      const copy: Record<string, unknown> = { ...body };
      for (const change of changes) if (change !== null) copy[change.name] = change.value;
      if (unknown !== null) copy[unknown[0]] = unknown[1];
      return JSON.stringify(copy);
    });
  const hostile = fc.oneof(
    fc
      .tuple(valid, fc.constantFrom(...PROTOTYPE_KEYS), fc.jsonValue({ maxDepth: 2 }))
      .map(([body, key, value]) => withLeadingMember(JSON.stringify(body), key, JSON.stringify(value))),
    fc
      .tuple(valid, fc.constantFrom(...NESTING_DEPTHS), fc.constantFrom('deep', ...properties.map(([name]) => name)))
      .map(([body, depth, key]) => withLeadingMember(JSON.stringify(body), key, nestedJson(depth))),
    fc.constantFrom(...NESTING_DEPTHS).map((depth) => nestedJson(depth)),
    fc.constantFrom(...NESTING_DEPTHS).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
    valid.map(
      (body) => `${JSON.stringify(body).slice(0, -1)}${properties.length ? ',' : ''}"title":1,"title":"twice"}`,
    ),
    valid.map((body) => JSON.stringify([body])),
    fc.constantFrom('null', '42', '"text"', 'true', '[]', '{}', '', ' ', '{', '{"a":1,}', "{'a':1}", '{"a":NaN}'),
    fc.constantFrom('{"a":1} trailing', '\uFEFF{}', '/* comment */ {}', '{"a":"\\ud800"}', '{"a":"\\u0000"}'),
    valid.map((body) => withLeadingMember(JSON.stringify(body), 'huge', JSON.stringify('x'.repeat(1_100_000)))),
  );
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((body) => JSON.stringify(body)) },
    { weight: 4, arbitrary: mutated },
    { weight: 3, arbitrary: hostile },
  );
}

/** Adds `"key": <value text>` as the first member of an object's JSON text. */
function withLeadingMember(objectText: string, key: string, valueText: string): string {
  const rest = objectText.slice(1);
  return `{${JSON.stringify(key)}:${valueText}${rest === '}' ? '' : ','}${rest}`;
}

interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  content: Buffer;
}

/** File contents with and without a signature that matches their extension, and executables. */
const FILE_CONTENTS: readonly Buffer[] = [
  Buffer.from('plain text log line\n'),
  Buffer.from('{"json": true}'),
  Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n'),
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
  Buffer.from('MZ\x90\x00\x03'),
  Buffer.from('#!/bin/sh\nrm -rf /\n'),
  Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]),
  Buffer.alloc(0),
];

const FILE_NAMES = [
  'notes.txt',
  'server.log',
  'data.json',
  'report.pdf',
  'screenshot.png',
  'bundle.zip',
  'REPORT.TXT',
  'no-extension',
  '.txt',
  'evil.exe',
  'script.sh',
  '../../../etc/passwd.txt',
  'a\u0000b.txt',
  '\u202Etxt.exe',
  'ümlaut naïve.txt',
  'quote"semi;colon.txt',
  `${'x'.repeat(300)}.txt`,
  '',
];

/** Files whose bytes agree with their extension: what a valid upload sends. */
const MATCHING_FILES: readonly { filename: string; contentType: string; content: Buffer }[] = [
  { filename: 'server.log', contentType: 'text/plain', content: FILE_CONTENTS[0] },
  { filename: 'data.json', contentType: 'application/json', content: FILE_CONTENTS[1] },
  { filename: 'report.pdf', contentType: 'application/pdf', content: FILE_CONTENTS[2] },
  { filename: 'screenshot.png', contentType: 'image/png', content: FILE_CONTENTS[3] },
];

const BOUNDARY = 'fuzz-boundary-7MA4YWxkTrZu0gW';

/**
 * A multipart upload. Valid: one matching file, sometimes with a comment_id. Hostile: its parts (the file and
 * comment_id of the document, with hostile names, types and contents; missing, repeated and unknown parts;
 * prototype-named fields) and sometimes a broken envelope (no closing boundary, no boundary parameter) or another
 * content type altogether.
 */
function multipartBody(
  arbitraries: OpenApiArbitraries,
  schema: Schema,
  mode: Mode,
): fc.Arbitrary<{ headers: [string, string][]; bytes: Buffer | null }> {
  const commentIdSchema = schema.properties?.comment_id ?? { type: 'string', format: 'uuid' };
  const send = (parts: MultipartPart[], kind = 'complete') => {
    if (kind === 'json') {
      return {
        headers: [['Content-Type', 'application/json']] as [string, string][],
        bytes: Buffer.from('{"file":"x"}'),
      };
    }
    const contentType =
      kind === 'no-boundary'
        ? 'multipart/form-data'
        : `multipart/${kind === 'mixed' ? 'mixed' : 'form-data'}; boundary=${BOUNDARY}`;
    return {
      headers: [['Content-Type', contentType]] as [string, string][],
      bytes: encodeMultipart(parts, kind !== 'unterminated'),
    };
  };
  const fieldPart = (name: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>) =>
    fc.record({ name, content: value.map((text) => Buffer.from(queryText(text), 'utf8')) });
  if (mode === 'valid') {
    const file = fc.constantFrom(...MATCHING_FILES).map((matching) => ({ name: 'file', ...matching }));
    const comment = fc.option(fieldPart(fc.constant('comment_id'), arbitraries.valid(commentIdSchema, 'comment_id')));
    return fc
      .tuple(comment, file)
      .map(([commentPart, filePart]) => send(commentPart ? [commentPart, filePart] : [filePart]));
  }
  const filePart = fc.record({
    name: fc.oneof(
      { weight: 8, arbitrary: fc.constant('file') },
      fc.constantFrom('File', 'files', 'upload', '__proto__'),
    ),
    filename: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...FILE_NAMES) },
      anyText.map((text) => `${text}.txt`),
    ),
    contentType: fc.constantFrom(
      'text/plain',
      'application/pdf',
      'image/png',
      'application/octet-stream',
      'application/x-msdownload',
    ),
    content: fc.oneof(
      fc.constantFrom(...FILE_CONTENTS),
      fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
    ),
  });
  const commentPart = fieldPart(fc.constant('comment_id'), arbitraries.field(commentIdSchema, 'comment_id'));
  const otherPart = fieldPart(fc.constantFrom('unknown', 'ticket_id', 'uploaded_by', ...PROTOTYPE_KEYS), anyText);
  const parts = fc
    .tuple(
      fc.array(filePart, { minLength: 0, maxLength: 2 }),
      fc.option(commentPart, { freq: 2 }),
      fc.array(otherPart, { maxLength: 1 }),
      fc.boolean(),
    )
    .map(([files, comment, others, commentFirst]): MultipartPart[] => {
      if (comment === null) return [...files, ...others];
      return commentFirst ? [comment, ...files, ...others] : [...files, comment, ...others];
    });
  const envelope = fc.oneof(
    { weight: 5, arbitrary: fc.constant('complete') },
    fc.constantFrom('unterminated', 'no-boundary', 'json', 'mixed'),
  );
  return fc.tuple(parts, envelope).map(([list, kind]) => send(list, kind));
}

function encodeMultipart(parts: MultipartPart[], terminated: boolean): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    const type = part.contentType === undefined ? '' : `\r\nContent-Type: ${part.contentType}`;
    const disposition = `Content-Disposition: form-data; name="${part.name}"${filename}${type}`;
    chunks.push(Buffer.from(`--${BOUNDARY}\r\n${disposition}\r\n\r\n`, 'utf8'), part.content, Buffer.from('\r\n'));
  }
  if (terminated) chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}
