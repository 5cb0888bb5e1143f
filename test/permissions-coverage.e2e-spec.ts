import { METHODS } from 'node:http';
import type { Type } from '@nestjs/common';
import { APP_GUARD, ModulesContainer, Reflector } from '@nestjs/core';
import { IS_PUBLIC, REQUIRED_ROLES } from '../apps/ticket-service/src/common/auth/auth.decorators';
import { JwtAuthGuard } from '../apps/ticket-service/src/common/auth/jwt-auth.guard';
import { ALERT_MATRIX } from './support/permissions/alerts';
import {
  ALL_ROLES,
  ANONYMOUS,
  type Caller,
  clientFor,
  type Matrix,
  PERMISSION_APP_ENV,
  type RouteKey,
  stateOf,
} from './support/permissions/harness';
import { ITEM_MATRIX } from './support/permissions/items';
import { DOCUMENTED_ROUTES } from './support/permissions/openapi-routes';
import { PLATFORM_MATRIX } from './support/permissions/platform';
import { QUEUE_MATRIX } from './support/permissions/queue';
import { BOLA_PROBES, WRITE_TARGETS } from './support/permissions/probes';
import { TEAM_MATRIX } from './support/permissions/teams';
import { TICKET_MATRIX } from './support/permissions/tickets';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The permission matrix covers the whole API, and every route is guarded unless it is public by decision.
 * Routes come from two sources that must agree with the matrix: the committed OpenAPI document and the router of
 * the running app (which also holds routes the document does not describe, such as the API docs themselves).
 */

const MATRICES: Matrix[] = [TICKET_MATRIX, ITEM_MATRIX, TEAM_MATRIX, PLATFORM_MATRIX, ALERT_MATRIX, QUEUE_MATRIX];

/** Routes that answer without a token, each with the reason (spec §3 names them all). */
const PUBLIC_BY_DECISION: Partial<Record<RouteKey, string>> = {
  'GET /health': 'liveness probe for orchestrators, no data',
  'GET /health/ready': 'readiness probe for load balancers, no data',
  'GET /metrics': 'Prometheus scrape; counters and timings only, no ticket data',
  'GET /docs': 'Swagger UI (only served when docs are enabled)',
  'GET /docs/': 'Swagger UI',
  'GET /docs/index.html': 'Swagger UI',
  'GET /docs/swagger-ui-init.js': 'Swagger UI: embeds the public API document',
  'GET /docs/docs/swagger-ui-init.js': 'Swagger UI: the same script under the path a relative URL resolves to',
  'GET /docs/LICENSE': 'Swagger UI: registered only to answer 404',
  'GET /openapi.json': 'the public API document',
  'GET /redoc': 'ReDoc page for the public API document',
  'GET /redoc/redoc.standalone.js': 'ReDoc’s script, the installed bundle (public with the docs)',
};

/**
 * Middleware (router layers without a route) by where it is mounted: `/` and the API prefix hold the
 * pass-through infrastructure (request id, metrics, logs, rate limit, body parser, request context, error
 * handlers and Nest's not-found answer); anything answering elsewhere must be named here.
 */
const MIDDLEWARE_MOUNTS: Record<string, string> = {
  '/': 'request id, metrics, request log, JSON body parser and error handlers: they answer nothing on their own',
  '/api/v1': 'rate limit, request context and the not-found answer of the API',
  '/docs': 'Swagger UI’s static assets (public with the docs)',
};

interface RegisteredRoute {
  key: RouteKey;
  /** `Controller.method` for Nest handlers; the function's name otherwise. */
  handlerName: string;
}

interface RouterLayer {
  name: string;
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean>; stack: { name: string }[] };
  handle: { stack?: RouterLayer[] };
}

/** Nest answers a method a path has no handler for through catch-all routes; they are not API routes. */
const isCatchAll = (layer: RouterLayer) =>
  Boolean(layer.route?.methods._all) || METHODS.every((method) => layer.route?.methods[method.toLowerCase()]);

/** Every layer of the express router, sub-routers flattened. */
function layersOf(stack: RouterLayer[]): RouterLayer[] {
  return stack.flatMap((layer) =>
    layer.name === 'router' && layer.handle.stack ? [layer, ...layersOf(layer.handle.stack)] : [layer],
  );
}

function routerLayers(t: TestApp): RouterLayer[] {
  const express = t.app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  return layersOf(express.router.stack);
}

function registeredRoutes(t: TestApp): RegisteredRoute[] {
  return routerLayers(t)
    .filter((layer) => layer.route && !isCatchAll(layer))
    .flatMap((layer) =>
      Object.keys(layer.route!.methods).map((method) => ({
        key: `${method.toUpperCase()} ${layer.route!.path}` as RouteKey,
        handlerName: layer.route!.stack[0].name,
      })),
    );
}

interface NestHandler {
  controller: Type;
  handler: (...args: unknown[]) => unknown;
}

/** Nest names a route's express handler `Controller.method`; this finds the class and method behind it. */
function nestHandlers(t: TestApp): Map<string, NestHandler> {
  const handlers = new Map<string, NestHandler>();
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const method of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[method];
        if (method !== 'constructor' && typeof handler === 'function') {
          handlers.set(`${controller.name}.${method}`, { controller, handler: handler as NestHandler['handler'] });
        }
      }
    }
  }
  return handlers;
}

/** The rows of every matrix, by route: caller → the statuses of its rows. */
function matrixStatuses(): Map<RouteKey, Map<Caller, number[]>> {
  const byRoute = new Map<RouteKey, Map<Caller, number[]>>();
  for (const matrix of MATRICES) {
    for (const [action, caller, , status] of matrix.rows) {
      const route = matrix.actions[action].route;
      const callers = byRoute.get(route) ?? new Map<Caller, number[]>();
      callers.set(caller, [...(callers.get(caller) ?? []), status]);
      byRoute.set(route, callers);
    }
  }
  return byRoute;
}

/** A concrete URL for a route: every path parameter a fresh uuid (or a priority). */
const sampleUrl = (key: RouteKey) =>
  key
    .slice(key.indexOf(' ') + 1)
    .replace(/:priority/, 'P4')
    .replace(/:[a-z_]+/g, () => crypto.randomUUID());

describe('permission coverage and route guard', () => {
  let t: TestApp;
  let routes: RegisteredRoute[];
  let handlers: Map<string, NestHandler>;
  const reflector = new Reflector();

  beforeAll(async () => {
    t = await startTestApp(PERMISSION_APP_ENV);
    routes = registeredRoutes(t);
    handlers = nestHandlers(t);
  });

  afterAll(async () => {
    await t.close();
  });

  const metadataOf = <T>(key: string, route: RegisteredRoute): T | undefined => {
    const nest = handlers.get(route.handlerName)!;
    return reflector.getAllAndOverride<T | undefined>(key, [nest.handler, nest.controller]);
  };

  describe('coverage of the matrix', () => {
    it('knows every operation of the committed OpenAPI document as a route of the running app', () => {
      const registered = new Set(routes.map((route) => route.key));
      expect(DOCUMENTED_ROUTES.filter(({ route }) => !registered.has(route)).map(({ route }) => route)).toEqual([]);
    });

    it('has rows for every documented and registered route, for each of the five roles (public ones also without a token)', () => {
      const statuses = matrixStatuses();
      const allRoutes = new Set([...DOCUMENTED_ROUTES.map(({ route }) => route), ...routes.map(({ key }) => key)]);
      const missing = [...allRoutes].flatMap((route) => {
        const callers: readonly Caller[] = route in PUBLIC_BY_DECISION ? [...ALL_ROLES, ANONYMOUS] : ALL_ROLES;
        return callers.filter((caller) => !statuses.get(route)?.has(caller)).map((caller) => `${route} as ${caller}`);
      });
      expect(missing).toEqual([]);
      // A matrix row for a route that no longer exists would test nothing.
      expect([...statuses.keys()].filter((route) => !allRoutes.has(route))).toEqual([]);
    });

    it('has a BOLA probe for every id in a path or a request body', () => {
      const probed = new Set(BOLA_PROBES.map((probe) => `${probe.route} ${probe.position}`));
      const positions = DOCUMENTED_ROUTES.flatMap(({ route, idParams, bodyType, bodyProperties }) => [
        ...idParams.map((param) => `${route} path:${param}`),
        ...Object.entries(bodyProperties)
          .filter(([, schema]) => schema.format === 'uuid')
          .map(([field]) => `${route} ${bodyType === 'multipart/form-data' ? 'form' : 'body'}:${field}`),
      ]);
      expect(positions.filter((position) => !probed.has(position))).toEqual([]);
    });

    it('has mass-assignment probes for every write route', () => {
      const writes = routes.map(({ key }) => key).filter((key) => !key.startsWith('GET '));
      expect(writes.filter((key) => !(key in WRITE_TARGETS))).toEqual([]);
    });
  });

  describe('route guard (every route public by decision or guarded)', () => {
    // Guards are all asked and must all agree: another global guard (nestjs-cls registers one that always says
    // yes) can refuse more, never open what the JWT guard closes.
    it('has the JWT guard among the global guards', () => {
      const globalGuards = [...t.app.get(ModulesContainer).values()].flatMap((module) =>
        [...module.providers.entries()]
          .filter(([token]) => typeof token === 'string' && token.startsWith(APP_GUARD))
          .map(([, wrapper]) => wrapper.metatype),
      );
      expect(globalGuards).toContain(JwtAuthGuard);
    });

    it('registers only Nest handlers and the allow-listed public documentation routes', () => {
      const unknown = routes.filter((route) => !handlers.has(route.handlerName) && !(route.key in PUBLIC_BY_DECISION));
      expect(unknown.map((route) => `${route.key} (${route.handlerName})`)).toEqual([]);
    });

    it('mounts middleware only where the allow-list says', () => {
      const mounts = routerLayers(t)
        .filter((layer) => !layer.route)
        .map((layer) => (layer.rawPath ?? '/').replace(/(.)\/$/, '$1'));
      expect(mounts.filter((mount) => !(mount in MIDDLEWARE_MOUNTS))).toEqual([]);
    });

    it('marks @Public() exactly the routes that are public by decision', () => {
      const nestRoutes = routes.filter((route) => handlers.has(route.handlerName));
      const publicRoutes = nestRoutes.filter((route) => metadataOf<boolean>(IS_PUBLIC, route) === true);
      expect(publicRoutes.map((route) => route.key).sort()).toEqual(
        nestRoutes
          .map((route) => route.key)
          .filter((key) => key in PUBLIC_BY_DECISION)
          .sort(),
      );
    });

    it('restricts by @Auth(roles) exactly the roles the matrix refuses on every row', () => {
      const statuses = matrixStatuses();
      const mismatches = routes
        .filter((route) => handlers.has(route.handlerName) && !(route.key in PUBLIC_BY_DECISION))
        .flatMap((route) => {
          const required = metadataOf<string[]>(REQUIRED_ROLES, route) ?? [];
          const allowed = required.length > 0 ? required : ALL_ROLES;
          return ALL_ROLES.filter((role) => {
            const rows = statuses.get(route.key)?.get(role) ?? [];
            const refusedByRole = rows.length > 0 && rows.every((status) => status === 403);
            return allowed.includes(role) === refusedByRole;
          }).map(
            (role) =>
              `${route.key}: ${role} is ${allowed.includes(role) ? '' : 'not '}in @Auth(${required.join(', ')})`,
          );
        });
      expect(mismatches).toEqual([]);
    });

    it('answers 401 without a token on every guarded route, and changes nothing', async () => {
      const guarded = routes.filter((route) => !(route.key in PUBLIC_BY_DECISION));
      expect(guarded.length).toBeGreaterThan(0);
      const before = await stateOf(t);
      const answers: string[] = [];
      for (const route of guarded) {
        const method = route.key.slice(0, route.key.indexOf(' ')).toLowerCase() as
          'get' | 'post' | 'put' | 'patch' | 'delete';
        const res = await t.http()[method](sampleUrl(route.key));
        answers.push(
          `${route.key} → ${res.status} ${res.body.error_code} ${res.headers['www-authenticate']?.split(' ')[0]}`,
        );
      }
      expect(answers).toEqual(guarded.map((route) => `${route.key} → 401 UNAUTHORIZED Bearer`));
      expect(await stateOf(t)).toEqual(before);
    });

    it("answers 404 to methods a path has no route for (Nest's catch-all routes), also without a token", async () => {
      for (const path of ['/health', '/metrics', '/api/v1/no-such-thing']) {
        const res = await clientFor(t, null).delete(path);
        expect(`${path} → ${res.status}`).toBe(`${path} → 404`);
      }
    });
  });
});
