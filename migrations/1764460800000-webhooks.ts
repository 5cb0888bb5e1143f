import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook subscriptions and their deliveries. A delivery row per (event, subscription) is created in the
 * event's transaction; dispatchers claim due ones with SKIP LOCKED and log every attempt.
 */
export class Webhooks1764460800000 implements MigrationInterface {
  name = 'Webhooks1764460800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        url varchar(2000) NOT NULL,
        events text[] NOT NULL DEFAULT '{}',
        secret varchar(200) NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id),
        event_id uuid NOT NULL REFERENCES outbox_events (id),
        state varchar(10) NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DELIVERED', 'DEAD')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_status integer,
        last_error varchar(500),
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        CONSTRAINT uq_webhook_deliveries_event UNIQUE (subscription_id, event_id)
      )`);
    // The dispatcher's queue: due pending deliveries, oldest first.
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'PENDING'`,
    );
    await q.query(`
      CREATE TABLE webhook_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id),
        attempt integer NOT NULL,
        attempted_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        response_status integer,
        error varchar(500),
        CONSTRAINT uq_webhook_attempts UNIQUE (delivery_id, attempt)
      )`);
    // The delivery log of a subscription.
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_subscriptions`);
  }
}
