import { Injectable } from '@nestjs/common';
import { ClsService, type ClsStore } from 'nestjs-cls';
import type { Principal } from '../auth/principal';

export interface RequestStore extends ClsStore {
  actor?: Principal;
  /** Free text the caller attached to the action (assignment notes, close notes, reopen reason). */
  actionNotes?: string;
}

/** Typed access to what the current request carries: the actor, the request id and the action's notes. */
@Injectable()
export class RequestContext {
  constructor(private readonly cls: ClsService<RequestStore>) {}

  get requestId(): string | null {
    return this.cls.isActive() ? (this.cls.getId() ?? null) : null;
  }

  /** The acting user; null outside a request (e.g. the SLA scanner acts as the system). */
  get actor(): Principal | null {
    return this.cls.isActive() ? (this.cls.get('actor') ?? null) : null;
  }

  setActor(actor: Principal): void {
    this.cls.set('actor', actor);
  }

  get actionNotes(): string | null {
    return this.cls.isActive() ? (this.cls.get('actionNotes') ?? null) : null;
  }

  setActionNotes(notes: string | null | undefined): void {
    this.cls.set('actionNotes', notes ?? undefined);
  }
}
