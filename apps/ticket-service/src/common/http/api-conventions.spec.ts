import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import { applyApiConventions } from './api-conventions';

const errorBody = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } };

function documentWith(paths: OpenAPIObject['paths'], schemas: Record<string, object> = {}): OpenAPIObject {
  return { openapi: '3.0.0', info: { title: 't', version: '1' }, paths, components: { schemas } };
}

const answer = (operation: OperationObject | undefined, status: string) =>
  operation?.responses[status] as ResponseObject;

describe('applyApiConventions', () => {
  it('adds the answers of what runs before routing and of the error filter, API routes only for 429 and 503', () => {
    const document = documentWith({
      '/api/v1/teams': { get: { tags: ['teams'], responses: { '200': { description: 'ok' } } } },
      '/health': { get: { tags: ['operations'], responses: { '200': { description: 'ok' } } } },
    });
    applyApiConventions(document);
    expect(Object.keys(document.paths['/api/v1/teams'].get!.responses).sort()).toEqual(
      ['200', '400', '413', '429', '500', '503'].sort(),
    );
    expect(Object.keys(document.paths['/health'].get!.responses).sort()).toEqual(['200', '400', '413', '500']);
    expect(document.tags?.map((tag) => tag.name)).toEqual(['teams', 'operations']);
  });

  it('declares X-Request-ID everywhere, RateLimit-* on the API, Retry-After where a retry is meant', () => {
    const document = documentWith({
      '/api/v1/tickets': {
        post: {
          parameters: [{ name: 'Idempotency-Key', in: 'header', schema: { type: 'string' } }],
          responses: { '201': { description: 'created' }, '409': { description: 'conflict', content: errorBody } },
        },
      },
    });
    applyApiConventions(document);
    const post = document.paths['/api/v1/tickets'].post;
    expect(Object.keys(answer(post, '201').headers ?? {})).toEqual([
      'X-Request-ID',
      'RateLimit-Policy',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Idempotent-Replayed',
    ]);
    expect(answer(post, '409').headers?.['Retry-After']).toEqual({ $ref: '#/components/headers/Retry-After' });
    expect(answer(post, '429').headers?.['Retry-After']).toBeDefined();
    expect(answer(post, '400').headers?.['Retry-After']).toBeUndefined();
    expect(document.components?.headers?.['X-Request-ID']).toMatchObject({ required: true });
  });

  it('gives each documented error code its own example, naming the resource of a 404', () => {
    const document = documentWith({
      '/api/v1/tickets/{ticket_id}/status': {
        patch: {
          responses: {
            '404': { description: '', content: errorBody },
            '409': { description: 'INVALID_STATUS_TRANSITION or TICKET_CLOSED', content: errorBody },
          },
        },
      },
    });
    applyApiConventions(document);
    const patch = document.paths['/api/v1/tickets/{ticket_id}/status'].patch;
    expect(answer(patch, '404').description).toBe('NOT_FOUND: Ticket missing, deleted or not visible to the caller');
    expect(answer(patch, '404').content?.['application/json'].examples).toEqual({
      NOT_FOUND: { $ref: '#/components/examples/NOT_FOUNDTicket' },
    });
    expect(Object.keys(answer(patch, '409').content?.['application/json'].examples ?? {})).toEqual([
      'INVALID_STATUS_TRANSITION',
      'TICKET_CLOSED',
    ]);
    expect(document.components?.examples?.NOT_FOUNDTicket).toMatchObject({
      value: { detail: 'Ticket not found', error_code: 'NOT_FOUND' },
    });
    expect(document.components?.examples?.VALIDATION_ERROR).toMatchObject({
      value: { error_code: 'VALIDATION_ERROR', errors: [{ field: 'title' }] },
    });
    // 503 names the database besides whatever the route documented.
    expect(answer(patch, '503').description).toContain('SERVICE_UNAVAILABLE');
  });

  it('bounds strings by their format, gives integers a format, lists each enum value once, dedupes security', () => {
    const document = documentWith(
      {
        '/api/v1/tickets': {
          get: {
            security: [{ bearer: [] }, { bearer: [] }],
            parameters: [
              {
                name: 'status',
                in: 'query',
                schema: { type: 'array', items: { $ref: '#/components/schemas/TicketStatus' } },
              },
              { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
            ],
            responses: { '200': { description: 'ok' } },
          },
        },
      },
      {
        TicketStatus: { type: 'string', enum: ['NEW', 'OPEN'] },
        TicketDto: {
          type: 'object',
          properties: {
            id: { type: 'string', format: 'uuid' },
            created_at: { type: 'string', format: 'date-time' },
            status: { allOf: [{ $ref: '#/components/schemas/TicketStatus' }] },
          },
        },
      },
    );
    applyApiConventions(document);
    const get = document.paths['/api/v1/tickets'].get!;
    expect(get.security).toEqual([{ bearer: [] }]);
    expect(get.parameters).toEqual([
      expect.objectContaining({ schema: expect.objectContaining({ maxItems: 2 }) }),
      expect.objectContaining({ schema: expect.objectContaining({ format: 'int32' }) }),
    ]);
    expect(document.components?.schemas?.TicketDto).toMatchObject({
      properties: {
        id: { maxLength: 36 },
        created_at: { maxLength: 35 },
        status: { $ref: '#/components/schemas/TicketStatus' },
      },
    });
  });
});
