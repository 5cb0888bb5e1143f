import { formatTicketNumber, parseTicketNumber } from './tickets.mapper';

describe('ticket numbers', () => {
  it.each([
    ['TKT-000042', 42],
    ['tkt-42', 42],
    ['42', 42],
    [' TKT-1234567 ', 1_234_567],
  ])('reads %p as %p', (text, expected) => {
    expect(parseTicketNumber(text)).toBe(expected);
  });

  it.each(['', 'TKT-', 'TKT-000000', '0', 'TKT-12a', 'ABC-12', '-5', '1.5', 'TKT-1234567890123456'])(
    'refuses %p',
    (text) => {
      expect(parseTicketNumber(text)).toBeNull();
    },
  );

  it('reads back what it writes', () => {
    for (const value of [1, 42, 999_999, 1_000_000]) expect(parseTicketNumber(formatTicketNumber(value))).toBe(value);
  });
});
