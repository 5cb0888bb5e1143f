import { TicketLinkRelation, TicketLinkType } from '@ticketing/contracts';

/** How a link reads from one of its tickets: its type from the source, the inverse from the target. */
export function relationSeenFrom(type: TicketLinkType, fromSource: boolean): TicketLinkRelation {
  switch (type) {
    case TicketLinkType.RELATES_TO:
      return TicketLinkRelation.RELATES_TO;
    case TicketLinkType.BLOCKS:
      return fromSource ? TicketLinkRelation.BLOCKS : TicketLinkRelation.BLOCKED_BY;
    case TicketLinkType.DUPLICATE_OF:
      return fromSource ? TicketLinkRelation.DUPLICATE_OF : TicketLinkRelation.DUPLICATED_BY;
    case TicketLinkType.CAUSED_BY:
      return fromSource ? TicketLinkRelation.CAUSED_BY : TicketLinkRelation.CAUSES;
  }
}

export interface Edge {
  source: string;
  target: string;
}

/** A path of ids from `from` to `to` along the edges (breadth first, so the shortest), or null. */
export function findPath(edges: readonly Edge[], from: string, to: string): string[] | null {
  const next = new Map<string, string[]>();
  for (const { source, target } of edges) next.set(source, [...(next.get(source) ?? []), target]);
  const cameFrom = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let index = 0; index < queue.length; index++) {
    const at = queue[index];
    if (at === to) {
      const path: string[] = [];
      for (let step: string | null = at; step !== null; step = cameFrom.get(step) ?? null) path.unshift(step);
      return path;
    }
    for (const target of next.get(at) ?? []) {
      if (!cameFrom.has(target)) {
        cameFrom.set(target, at);
        queue.push(target);
      }
    }
  }
  return null;
}

/**
 * The cycle a new `source BLOCKS target` link would close, as ticket ids from the source round to it again, or
 * null: there is one exactly when the existing BLOCKS edges lead from the target back to the source.
 */
export function blocksCycle(existing: readonly Edge[], source: string, target: string): string[] | null {
  const back = findPath(existing, target, source);
  return back && [source, ...back];
}
