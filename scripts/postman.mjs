#!/usr/bin/env node
// Generates a Postman collection (v2.1) from the committed OpenAPI document: `npm run postman [-- <out.json>]`.
// The requests run in the order of PLAN below: create things, act on them (ids and the ticket's ETag captured into
// collection variables from the answers), then delete them. Each request's test checks the expected status and
// validates the body against the documented schema, objects closed (no undocumented fields). Bodies are the
// document's own examples, built the way Swagger UI builds them, with ids replaced by the captured ones.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DOCUMENT_PATH = join(ROOT, 'libs/contracts/openapi.json');
export const DEFAULT_OUT = join(ROOT, 'postman/ticket-service.postman_collection.json');
/** The file the upload request sends (newman resolves it against its working directory, the repository). */
const ATTACHMENT_FILE = 'scripts/postman-attachment.txt';
/** A user added to the team and assigned the ticket: any UUID works, users live in the identity provider. */
const MEMBER_ID = '2b7e1516-28ae-4d2a-a6f7-1588096a3c4e';
/** A payload as Alertmanager sends it (version 4), the one the alert suite posts. */
const ALERTMANAGER_PAYLOAD = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/alertmanager/webhook-v4-firing.json'), 'utf8'),
);
/** The fields of a bulk request besides ids and action: left out unless the action takes them. */
const NO_BULK_PARAMETERS = Object.fromEntries(
  ['versions', 'status', 'notes', 'resolution_notes', 'assignee_id', 'team_id', 'priority', 'add', 'remove'].map(
    (field) => [field, undefined],
  ),
);

/**
 * Every operation of the document, in the order they run, with what each needs beyond the document's examples:
 * `body` fields replacing the example's (undefined leaves one out), `captures` (variable ← expression on `body` or
 * `etag`), `params` for path parameters other than the usual variables, `ifMatch: false` to send no If-Match, and
 * the status it must answer. The generator refuses a document with an operation that is not planned here.
 */
const PLAN = [
  { op: 'getHealth', status: 200 },
  { op: 'getReadiness', status: 200 },
  { op: 'getMetrics', status: 200 },
  { op: 'createTeam', status: 201, body: { name: 'Platform {{$guid}}' }, captures: { team_id: 'body.id' } },
  { op: 'listTeams', status: 200 },
  { op: 'getTeam', status: 200 },
  { op: 'updateTeam', status: 200, body: { name: 'Platform {{$guid}}' } },
  { op: 'addTeamMember', status: 201, body: { user_id: '{{member_id}}' } },
  { op: 'listSlaPolicies', status: 200 },
  { op: 'updateSlaPolicy', status: 200 },
  { op: 'getSlaCalendar', status: 200 },
  { op: 'replaceSlaCalendar', status: 200 },
  { op: 'getTeamCalendar', status: 200 },
  { op: 'replaceTeamCalendar', status: 200 },
  { op: 'deleteTeamCalendar', status: 204 },
  // Subscribed before the ticket exists, so the ticket's events produce deliveries to list and redeliver.
  { op: 'createWebhook', status: 201, captures: { webhook_id: 'body.id' } },
  { op: 'listWebhooks', status: 200 },
  { op: 'getWebhook', status: 200 },
  {
    op: 'createTicket',
    status: 201,
    body: { team_id: '{{team_id}}' },
    captures: { ticket_id: 'body.id', ticket_number: 'body.ticket_number', ticket_etag: 'etag' },
  },
  { op: 'getTicketByNumber', status: 200 },
  // A second ticket (no team, so the team can go at the end): linked, followed, changed in bulk, merged.
  { op: 'createTicket', status: 201, body: { team_id: null }, captures: { other_ticket_id: 'body.id' } },
  {
    op: 'createTicketLink',
    status: 201,
    body: { type: 'RELATES_TO', target_id: '{{other_ticket_id}}' },
    captures: { link_id: 'body.id' },
  },
  { op: 'listTicketLinks', status: 200 },
  { op: 'deleteTicketLink', status: 204 },
  { op: 'addTicketFollower', status: 201, body: { user_id: '{{member_id}}' } },
  { op: 'listTicketFollowers', status: 200 },
  { op: 'removeTicketFollower', status: 204 },
  {
    op: 'bulkUpdateTickets',
    status: 200,
    body: { ...NO_BULK_PARAMETERS, ids: ['{{other_ticket_id}}'], action: 'priority', priority: 'P2' },
  },
  // Alerts before any route exists: their tickets get no team.
  {
    op: 'postAlert',
    status: 200,
    body: { fingerprint: 'postman-{{$guid}}', starts_at: '2026-12-01T09:00:00Z', ends_at: undefined },
  },
  { op: 'postAlertmanagerAlerts', status: 200, body: ALERTMANAGER_PAYLOAD },
  { op: 'listAlertRoutes', status: 200 },
  {
    op: 'replaceAlertRoutes',
    status: 200,
    body: { routes: [{ match: { service: 'checkout' }, team_id: '{{team_id}}' }] },
  },
  { op: 'listTickets', status: 200 },
  { op: 'getTicket', status: 200, captures: { ticket_etag: 'etag' } },
  { op: 'updateTicket', status: 200, body: { team_id: '{{team_id}}' }, captures: { ticket_etag: 'etag' } },
  { op: 'replaceTicket', status: 200, body: { team_id: '{{team_id}}' }, captures: { ticket_etag: 'etag' } },
  {
    op: 'assignTicket',
    status: 200,
    body: { assignee_id: '{{member_id}}', team_id: '{{team_id}}' },
    captures: { ticket_etag: 'etag' },
  },
  { op: 'changeTicketStatus', status: 200, captures: { ticket_etag: 'etag' } },
  { op: 'getTeamMetrics', status: 200 },
  { op: 'createComment', status: 201, captures: { comment_id: 'body.id' } },
  { op: 'listComments', status: 200 },
  { op: 'updateComment', status: 200 },
  { op: 'uploadAttachment', status: 201, captures: { attachment_id: 'body.id' } },
  { op: 'listAttachments', status: 200 },
  { op: 'downloadAttachment', status: 200 },
  { op: 'resolveTicket', status: 200, captures: { ticket_etag: 'etag' } },
  { op: 'closeTicket', status: 200, captures: { ticket_etag: 'etag' } },
  { op: 'reopenTicket', status: 200, captures: { ticket_etag: 'etag' } },
  { op: 'listTicketHistory', status: 200 },
  {
    op: 'mergeTicket',
    status: 200,
    params: { ticket_id: '{{other_ticket_id}}' },
    ifMatch: false,
    body: { into_id: '{{ticket_id}}', note: 'The same outage, reported twice.', into_version: undefined },
  },
  { op: 'listEvents', status: 200 },
  { op: 'listWebhookDeliveries', status: 200, captures: { delivery_id: 'body.items[0].id' } },
  { op: 'redeliverWebhook', status: 200 },
  { op: 'deleteAttachment', status: 204 },
  { op: 'deleteComment', status: 204 },
  { op: 'removeTeamMember', status: 204 },
  { op: 'deleteTicket', status: 204 },
  { op: 'deleteWebhook', status: 204 },
  { op: 'replaceAlertRoutes', status: 200, body: { routes: [] } },
  { op: 'deleteTeam', status: 204 },
];

/** Path parameters and the collection variables that fill them. */
const PATH_VARIABLES = {
  team_id: '{{team_id}}',
  ticket_id: '{{ticket_id}}',
  comment_id: '{{comment_id}}',
  attachment_id: '{{attachment_id}}',
  webhook_id: '{{webhook_id}}',
  delivery_id: '{{delivery_id}}',
  user_id: '{{member_id}}',
  ticket_number: '{{ticket_number}}',
  link_id: '{{link_id}}',
};

/** Formats the sandbox's Ajv 6 knows; others (e.g. `binary`) would make it refuse the schema. */
const AJV_FORMATS = new Set(['date-time', 'date', 'time', 'uri', 'email', 'uuid', 'hostname', 'ipv4', 'ipv6']);

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

function resolveRef(document, schema) {
  if (!schema?.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = document.components.schemas[name];
  if (!target) throw new Error(`unresolvable ${schema.$ref}`);
  return target;
}

/** The example body as Swagger UI fills it in: example, else default, else the first enum value, else by type. */
export function sampleOf(document, schema) {
  const { allOf, ...own } = schema;
  if ('example' in own) return own.example;
  if (own.default !== undefined) return own.default;
  if (allOf) return sampleOf(document, Object.assign({}, ...allOf.map((part) => resolveRef(document, part)), own));
  if (own.$ref) return sampleOf(document, resolveRef(document, own));
  if (own.enum) return own.enum.find((value) => value !== null);
  if (own.type === 'object' || own.properties) {
    return Object.fromEntries(
      Object.entries(own.properties ?? {}).map(([name, property]) => [name, sampleOf(document, property)]),
    );
  }
  if (own.type === 'array') return [sampleOf(document, own.items ?? {})];
  if (own.type === 'integer' || own.type === 'number') return own.minimum ?? 0;
  if (own.type === 'boolean') return true;
  if (own.format === 'uuid') return MEMBER_ID;
  return 'string';
}

/**
 * The OpenAPI 3.0 schema as self-contained JSON Schema for the sandbox's Ajv 6: references inlined, `nullable`
 * turned into a null alternative, objects closed, annotations and unknown formats dropped.
 */
export function jsonSchemaOf(document, schema) {
  if (schema.$ref) return jsonSchemaOf(document, resolveRef(document, schema));
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (['example', 'description', 'nullable', 'readOnly', 'writeOnly', 'deprecated'].includes(key)) continue;
    if (key === 'format' && !AJV_FORMATS.has(value)) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value).map(([n, p]) => [n, jsonSchemaOf(document, p)]));
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = jsonSchemaOf(document, value);
    } else if (['allOf', 'anyOf', 'oneOf'].includes(key)) {
      out[key] = value.map((part) => jsonSchemaOf(document, part));
    } else {
      out[key] = value;
    }
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (!schema.nullable) return out;
  if (out.enum && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
  return { anyOf: [out, { type: 'null' }] };
}

function operationsOf(document) {
  const operations = new Map();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      if (item[method]) operations.set(item[method].operationId, { path, method, operation: item[method] });
    }
  }
  return operations;
}

function testScript(document, step, { path, method, operation }) {
  const label = `${method.toUpperCase()} ${path}`;
  const lines = [
    `pm.test(${JSON.stringify(`${label} answers ${step.status}`)}, function () {`,
    `  pm.response.to.have.status(${step.status});`,
    '});',
  ];
  const declared = operation.responses[String(step.status)];
  // A JSON body when JSON is all the answer can be (a download may also be a stored .json file).
  const mediaTypes = Object.keys(declared?.content ?? {});
  const json = mediaTypes.length === 1 ? declared.content['application/json']?.schema : undefined;
  if (json) {
    const schema = jsonSchemaOf(document, json);
    lines.push(
      "pm.test('the body is as documented', function () {",
      "  pm.expect(pm.response.headers.get('Content-Type')).to.match(/^application\\/json/);",
      `  pm.response.to.have.jsonSchema(${JSON.stringify(schema)});`,
      '});',
    );
  } else {
    // Not JSON: the status must be documented, and a body's media type too.
    lines.push(
      `pm.test(${JSON.stringify(`${step.status} is documented`)}, function () {`,
      `  pm.expect(${declared !== undefined}).to.equal(true);`,
      '});',
    );
    if (mediaTypes.length > 0) {
      lines.push(
        "pm.test('the media type is documented', function () {",
        "  var type = (pm.response.headers.get('Content-Type') || '').split(';')[0].trim();",
        `  var declared = ${JSON.stringify(mediaTypes)};`,
        '  pm.expect(declared.some(function (range) {',
        "    return range === type || range === '*/*' || (/\\/\\*$/.test(range) && type.indexOf(range.slice(0, -1)) === 0);",
        '  })).to.equal(true);',
        '});',
      );
    }
  }
  const captures = Object.entries(step.captures ?? {});
  if (captures.length > 0) {
    // Later requests use what this one created: a missing value fails here, where it went missing.
    lines.push(
      'var body = pm.response.text() ? pm.response.json() : null;',
      "var etag = pm.response.headers.get('ETag');",
      ...captures.flatMap(([variable, expression]) => [
        `pm.test(${JSON.stringify(`captures ${variable}`)}, function () {`,
        `  var value = ${expression};`,
        '  pm.expect(value).to.be.a("string").and.not.empty;',
        `  pm.collectionVariables.set(${JSON.stringify(variable)}, value);`,
        '});',
      ]),
    );
  }
  return lines;
}

function requestBody(document, step, operation) {
  const content = operation.requestBody?.content;
  if (!content) return undefined;
  if (content['multipart/form-data']) {
    return {
      mode: 'formdata',
      formdata: [{ key: 'file', type: 'file', src: ATTACHMENT_FILE }],
    };
  }
  const schema = content['application/json'].schema;
  const example = { ...sampleOf(document, schema), ...step.body };
  return { mode: 'raw', raw: JSON.stringify(example, null, 2), options: { raw: { language: 'json' } } };
}

function requestOf(document, step, found) {
  const { path, method, operation } = found;
  const urlPath = path.replace(/\{(\w+)\}/g, (_match, name) => {
    if (step.params?.[name]) return step.params[name];
    if (PATH_VARIABLES[name]) return PATH_VARIABLES[name];
    const parameter = operation.parameters.find((p) => p.in === 'path' && p.name === name);
    return String(sampleOf(document, parameter.schema));
  });
  const headers = [];
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in === 'header' && parameter.name === 'If-Match' && step.ifMatch !== false) {
      headers.push({ key: 'If-Match', value: '{{ticket_etag}}' });
    }
  }
  const body = requestBody(document, step, operation);
  if (body?.mode === 'raw') headers.push({ key: 'Content-Type', value: 'application/json' });
  const secured = (operation.security ?? document.security ?? []).length > 0;
  return {
    name: `${operation.summary} (${operation.operationId})`,
    event: [{ listen: 'test', script: { type: 'text/javascript', exec: testScript(document, step, found) } }],
    request: {
      method: method.toUpperCase(),
      ...(secured ? {} : { auth: { type: 'noauth' } }),
      header: headers,
      url: {
        raw: `{{baseUrl}}${urlPath}`,
        host: ['{{baseUrl}}'],
        path: urlPath.split('/').filter(Boolean),
      },
      ...(body ? { body } : {}),
      description: operation.description ?? operation.summary,
    },
  };
}

export function buildCollection(document) {
  const operations = operationsOf(document);
  const unplanned = [...operations.keys()].filter((op) => !PLAN.some((step) => step.op === op));
  const missing = PLAN.filter((step) => !operations.has(step.op)).map((step) => step.op);
  if (unplanned.length > 0 || missing.length > 0) {
    throw new Error(
      `scripts/postman.mjs PLAN and the document disagree: not planned ${JSON.stringify(unplanned)}, ` +
        `not in the document ${JSON.stringify(missing)}`,
    );
  }
  return {
    info: {
      name: document.info.title,
      description:
        `${document.info.description}\n\nGenerated by \`npm run postman\` from libs/contracts/openapi.json. ` +
        'Set `baseUrl` and `token` (an ADMIN token runs every request), then run the collection in order.',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] },
    variable: [
      { key: 'baseUrl', value: 'http://localhost:8002' },
      { key: 'token', value: '' },
      { key: 'member_id', value: MEMBER_ID },
      ...[
        'team_id',
        'ticket_id',
        'ticket_number',
        'ticket_etag',
        'other_ticket_id',
        'link_id',
        'comment_id',
        'attachment_id',
        'webhook_id',
        'delivery_id',
      ].map((key) => ({ key, value: '' })),
    ],
    item: PLAN.map((step) => requestOf(document, step, operations.get(step.op))),
  };
}

function main() {
  const out = resolve(process.argv[2] ?? DEFAULT_OUT);
  const document = JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8'));
  const collection = buildCollection(document);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(collection, null, 2)}\n`);
  process.stdout.write(`wrote ${relative(process.cwd(), out)} (${collection.item.length} requests)\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
