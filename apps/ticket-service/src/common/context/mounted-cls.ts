import type { DynamicModule, ForwardReference, Provider, Type } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClsModule, type ClsModuleOptions } from 'nestjs-cls';

type Imported = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

const isGlobalEnhancer = (provider: Provider): boolean =>
  typeof provider === 'object' && (provider.provide === APP_GUARD || provider.provide === APP_INTERCEPTOR);

const isDynamicModule = (imported: Imported): imported is DynamicModule =>
  typeof imported === 'object' && 'module' in imported;

/** The module tree without its global guards and interceptors, and how many were left out. */
export function withoutGlobalEnhancers(module: DynamicModule): { module: DynamicModule; removed: number } {
  let removed = 0;
  const strip = (node: DynamicModule): DynamicModule => ({
    ...node,
    providers: node.providers?.filter((provider) => {
      const enhancer = isGlobalEnhancer(provider);
      if (enhancer) removed += 1;
      return !enhancer;
    }),
    imports: node.imports?.map((imported: Imported) => (isDynamicModule(imported) ? strip(imported) : imported)),
  });
  return { module: strip(module), removed };
}

/**
 * ClsModule.forRoot for a context that the middleware alone sets up. nestjs-cls also registers a global guard and
 * a global interceptor, which do nothing unless mounted; but any global interceptor puts every route on Nest's
 * rxjs path, about 9% of the CPU of a read by id. Throws if `options` mounts either, or if the library no longer
 * registers exactly those two, so an upgrade that changes this is noticed at start-up, not in production.
 */
export function clsMountedByMiddleware(options: ClsModuleOptions): DynamicModule {
  if (options.guard?.mount || options.interceptor?.mount || !options.middleware?.mount) {
    throw new Error('clsMountedByMiddleware: mount the CLS middleware only');
  }
  const { module, removed } = withoutGlobalEnhancers(ClsModule.forRoot(options));
  if (removed !== 2) throw new Error(`nestjs-cls registered ${removed} global enhancers where 2 were expected`);
  return module;
}
