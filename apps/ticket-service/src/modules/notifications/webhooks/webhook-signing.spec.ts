import { createHmac } from 'node:crypto';
import { retryDelaySeconds, signWebhook } from './webhook-signing';

describe('webhook signing and backoff', () => {
  it('signs "<timestamp>.<body>" with HMAC-SHA256', () => {
    const expected = createHmac('sha256', 'a-secret-of-16-chars').update('1700000000.{"a":1}').digest('hex');
    expect(signWebhook('a-secret-of-16-chars', 1_700_000_000, '{"a":1}')).toBe(`sha256=${expected}`);
  });

  it('backs off exponentially up to an hour', () => {
    expect([1, 2, 3, 4].map(retryDelaySeconds)).toEqual([5, 10, 20, 40]);
    expect(retryDelaySeconds(20)).toBe(3600);
  });
});
