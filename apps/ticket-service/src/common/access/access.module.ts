import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { AccessGate } from './access-gate';

/** The access gate for every module. */
@Global()
@Module({})
export class AccessModule {
  /** `membershipModule` provides TeamMembership; the composition root names it, so common/ imports no module. */
  static forRoot(membershipModule: Type<unknown>): DynamicModule {
    return { module: AccessModule, imports: [membershipModule], providers: [AccessGate], exports: [AccessGate] };
  }
}
