import { TicketLinkRelation, TicketLinkType } from '@ticketing/contracts';
import { blocksCycle, findPath, relationSeenFrom } from './link-rules';

describe('link rules', () => {
  it('shows BLOCKS, DUPLICATE_OF and CAUSED_BY inverted from the target, RELATES_TO the same from both', () => {
    expect(relationSeenFrom(TicketLinkType.BLOCKS, true)).toBe(TicketLinkRelation.BLOCKS);
    expect(relationSeenFrom(TicketLinkType.BLOCKS, false)).toBe(TicketLinkRelation.BLOCKED_BY);
    expect(relationSeenFrom(TicketLinkType.DUPLICATE_OF, false)).toBe(TicketLinkRelation.DUPLICATED_BY);
    expect(relationSeenFrom(TicketLinkType.CAUSED_BY, false)).toBe(TicketLinkRelation.CAUSES);
    expect(relationSeenFrom(TicketLinkType.RELATES_TO, true)).toBe(TicketLinkRelation.RELATES_TO);
    expect(relationSeenFrom(TicketLinkType.RELATES_TO, false)).toBe(TicketLinkRelation.RELATES_TO);
  });

  it('finds the shortest path along the edges, or none', () => {
    const edges = [
      { source: 'a', target: 'b' },
      { source: 'b', target: 'c' },
      { source: 'c', target: 'd' },
      { source: 'a', target: 'd' },
    ];
    expect(findPath(edges, 'a', 'd')).toEqual(['a', 'd']);
    expect(findPath(edges, 'b', 'd')).toEqual(['b', 'c', 'd']);
    expect(findPath(edges, 'd', 'a')).toBeNull();
    expect(findPath(edges, 'a', 'a')).toEqual(['a']);
  });

  it('names the cycle a new BLOCKS link would close, from its source round to it again', () => {
    const existing = [
      { source: 'b', target: 'c' },
      { source: 'c', target: 'a' },
    ];
    expect(blocksCycle(existing, 'a', 'b')).toEqual(['a', 'b', 'c', 'a']);
    expect(blocksCycle(existing, 'b', 'a')).toBeNull();
    // The inverse of an existing link is the shortest cycle.
    expect(blocksCycle([{ source: 'x', target: 'y' }], 'y', 'x')).toEqual(['y', 'x', 'y']);
  });

  it('terminates on graphs that already hold cycles elsewhere', () => {
    const existing = [
      { source: 'p', target: 'q' },
      { source: 'q', target: 'p' },
      { source: 'b', target: 'p' },
    ];
    expect(blocksCycle(existing, 'a', 'b')).toBeNull();
  });
});
