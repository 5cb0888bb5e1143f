import { assertWebhookUrl } from './webhook-url';

describe('assertWebhookUrl', () => {
  it('accepts http(s) URLs outside production, normalised', () => {
    expect(assertWebhookUrl('https://Hooks.Example.com/t', [], false)).toBe('https://hooks.example.com/t');
    expect(assertWebhookUrl('http://127.0.0.1:9000/x', [], false)).toBe('http://127.0.0.1:9000/x');
  });

  it.each([
    'ftp://example.com/x',
    'nonsense',
    'https://user:pw@example.com/x',
    'http://169.254.169.254/latest/meta-data',
    'http://[fe80::1]/x',
  ])('refuses %s', (url) => {
    expect(() => assertWebhookUrl(url, [], false)).toThrow();
  });

  it('needs an allow-listed host in production', () => {
    expect(() => assertWebhookUrl('https://hooks.example.com/t', [], true)).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
    expect(() => assertWebhookUrl('https://evil.example.com/t', ['hooks.example.com'], true)).toThrow(/not allowed/);
    expect(assertWebhookUrl('https://hooks.example.com/t', ['hooks.example.com'], true)).toBe(
      'https://hooks.example.com/t',
    );
  });
});
