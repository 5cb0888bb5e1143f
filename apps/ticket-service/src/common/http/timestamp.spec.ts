import { parseTimestamp } from './timestamp';

describe('parseTimestamp', () => {
  it('turns RFC 3339 date-times into dates', () => {
    expect(parseTimestamp('2026-05-04T08:00:00Z')).toEqual(new Date('2026-05-04T08:00:00.000Z'));
    expect(parseTimestamp('2026-05-04T10:00:00.250+02:00')).toEqual(new Date('2026-05-04T08:00:00.250Z'));
  });

  it.each([
    '2024-W01-1',
    '2026-05-04',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-05-04 08:00:00Z',
    'yesterday',
    '',
  ])('leaves %p unparsed so validation refuses it', (value) => {
    expect(parseTimestamp(value)).toBe(value);
  });
});
