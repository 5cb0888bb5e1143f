import { Injectable } from '@nestjs/common';
import { Transactional, TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { type SlaClockType, type SlaTarget, TicketPriority } from '@ticketing/contracts';
import { DomainError } from '../../common/errors/domain-error';
import type { SlaPolicyDto, SlaPolicyListDto, UpdateSlaPolicyDto } from './dto/sla-policy.dto';
import { SlaPolicy } from './sla-policy.entity';

const PRIORITY_ORDER = Object.values(TicketPriority);

function toDto(policy: SlaPolicy): SlaPolicyDto {
  return {
    priority: policy.priority,
    response_minutes: policy.responseMinutes,
    resolution_minutes: policy.resolutionMinutes,
    clock: policy.clock,
    updated_at: policy.updatedAt.toISOString(),
  };
}

/** What a ticket of one priority is held to: its targets and the clock they count on. */
export interface SlaTerms {
  target: SlaTarget;
  clock: SlaClockType;
}

/**
 * How long an instance keeps the targets it read. Every ticket create needs them and they change rarely; an
 * instance forgets them at once when it changes one itself, other instances within this time.
 */
export const SLA_TARGETS_CACHE_MS = 5_000;

/** SLA targets stored in the database; a change applies to tickets created (or re-prioritised) afterwards. */
@Injectable()
export class SlaPoliciesService {
  private cache: { terms: Map<TicketPriority, SlaTerms>; readAt: number } | null = null;

  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get policies() {
    return this.txHost.tx.getRepository(SlaPolicy);
  }

  async list(): Promise<SlaPolicyListDto> {
    const rows = await this.policies.find();
    rows.sort((a, b) => PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority));
    return { items: rows.map(toDto) };
  }

  async termsFor(priority: TicketPriority): Promise<SlaTerms> {
    const now = Date.now();
    if (!this.cache || now - this.cache.readAt > SLA_TARGETS_CACHE_MS) {
      const rows = await this.policies.find();
      const terms = new Map(
        rows.map((row) => [
          row.priority,
          {
            target: { responseMinutes: row.responseMinutes, resolutionMinutes: row.resolutionMinutes },
            clock: row.clock,
          },
        ]),
      );
      this.cache = { terms, readAt: now };
    }
    const terms = this.cache.terms.get(priority);
    if (!terms) throw new Error(`No SLA policy for ${priority}`);
    return terms;
  }

  @Transactional()
  async update(priority: TicketPriority, input: UpdateSlaPolicyDto): Promise<SlaPolicyDto> {
    if (input.response_minutes > input.resolution_minutes) {
      throw DomainError.validation('response_minutes must not exceed resolution_minutes', [
        { field: 'response_minutes', message: 'must be less than or equal to resolution_minutes' },
      ]);
    }
    const policy = await this.policies.findOneByOrFail({ priority });
    policy.responseMinutes = input.response_minutes;
    policy.resolutionMinutes = input.resolution_minutes;
    if (input.clock !== undefined) policy.clock = input.clock;
    const saved = await this.policies.save(policy);
    this.cache = null;
    return toDto(saved);
  }
}
