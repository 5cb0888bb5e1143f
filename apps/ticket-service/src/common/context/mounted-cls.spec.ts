import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { DynamicModule, Provider } from '@nestjs/common';
import { clsMountedByMiddleware, withoutGlobalEnhancers } from './mounted-cls';

function providersOf(module: DynamicModule): Provider[] {
  const nested = (module.imports ?? []).flatMap((imported) =>
    typeof imported === 'object' && 'module' in imported ? providersOf(imported) : [],
  );
  return [...(module.providers ?? []), ...nested];
}

const provides = (token: unknown) => (provider: Provider) => typeof provider === 'object' && provider.provide === token;

describe('clsMountedByMiddleware', () => {
  it('keeps every provider of ClsModule.forRoot but its global guard and interceptor', () => {
    const module = clsMountedByMiddleware({ middleware: { mount: true } });
    const providers = providersOf(module);
    expect(providers.some(provides(APP_INTERCEPTOR))).toBe(false);
    expect(providers.some(provides(APP_GUARD))).toBe(false);
    expect(providers.length).toBeGreaterThan(0);
  });

  it('refuses options that mount the guard or the interceptor, or not the middleware', () => {
    expect(() => clsMountedByMiddleware({ middleware: { mount: true }, interceptor: { mount: true } })).toThrow();
    expect(() => clsMountedByMiddleware({ middleware: { mount: true }, guard: { mount: true } })).toThrow();
    expect(() => clsMountedByMiddleware({})).toThrow();
  });
});

describe('withoutGlobalEnhancers', () => {
  it('strips APP_GUARD and APP_INTERCEPTOR at every depth and counts them', () => {
    class Inner {}
    class Outer {}
    const kept = { provide: 'kept', useValue: 1 };
    const tree: DynamicModule = {
      module: Outer,
      providers: [kept, { provide: APP_GUARD, useValue: {} }],
      imports: [{ module: Inner, providers: [{ provide: APP_INTERCEPTOR, useValue: {} }, kept] }],
    };
    const { module, removed } = withoutGlobalEnhancers(tree);
    expect(removed).toBe(2);
    expect(providersOf(module)).toEqual([kept, kept]);
  });
});
