-- Signed webhooks through a durable outbox (PRODUCT.md, "Webhooks").

-- Per-merchant signing secrets (`whsec_…`). Dalal signs with them, so they are stored readable.
-- A rotated secret keeps signing until `expires_at`: during the overlap both signatures are sent.
CREATE TABLE webhook_secrets (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT
);
CREATE INDEX webhook_secrets_merchant_idx ON webhook_secrets (merchant_id);

-- One row per status change that matters to the merchant, written in the same transaction as
-- the change. `body` holds the exact bytes that are signed and sent.
CREATE TABLE webhook_events (
    id           TEXT PRIMARY KEY,
    payment_id   BIGINT NOT NULL REFERENCES payments (id),
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    type         TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX webhook_events_payment_idx ON webhook_events (payment_id);

-- The outbox: one row per event and endpoint, claimed by a worker with a lease.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id         TEXT NOT NULL REFERENCES webhook_events (id),
    url              TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'disabled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT,
    lease_until      BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);

CREATE TABLE webhook_attempts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id    BIGINT NOT NULL REFERENCES webhook_deliveries (id),
    at             BIGINT NOT NULL,
    http_status    INTEGER,
    latency_ms     BIGINT NOT NULL,
    error          TEXT,
    next_retry_at  BIGINT
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);

-- Endpoints that answered 410 Gone: Dalal stops sending to them.
CREATE TABLE disabled_endpoints (
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    url          TEXT NOT NULL,
    disabled_at  BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, url)
);
