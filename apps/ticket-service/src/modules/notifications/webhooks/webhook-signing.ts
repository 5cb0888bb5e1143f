import { createHmac } from 'node:crypto';

/** `X-Ticket-Signature` value: HMAC-SHA256 over "<unix seconds>.<raw body>" with the subscription's secret. */
export function signWebhook(secret: string, timestampSeconds: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

const BACKOFF_BASE_SECONDS = 5;
const BACKOFF_CAP_SECONDS = 3600;

/** Seconds to wait after failed attempt number `attempt` (1-based): 5 s, 10 s, 20 s … capped at one hour. */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1));
}
