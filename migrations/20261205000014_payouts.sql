-- Payouts: money from the merchant's provider account to a recipient's wallet.
--
-- A payout's webhook events (`payout.succeeded`, …) name a payout and no payment, and SQLite
-- cannot drop a NOT NULL: webhook_events is rebuilt, with the two tables whose foreign keys hang
-- from it (sqlite.org/lang_altertable.html, "other kinds of table schema changes"). sqlx runs a
-- SQLite migration in a transaction, where foreign keys cannot be switched off: so the new tables
-- reference each other under their new names, the old ones are dropped children first (no row is
-- left referencing a dropped one), and renaming a table rewrites the references to it (SQLite
-- 3.26 and later).

-- A batch: independent payouts sent in one request (API JSON or CSV, or the dashboard's upload).
-- `refusals`: the lines refused before any payout was made, as JSON `[{line, message}]`.
-- `created_by`: the dashboard user who made it (NULL: the API).
CREATE TABLE payout_batches (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    mode             TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    dialect          TEXT NOT NULL CHECK (dialect IN ('caurisflux', 'sahelpay')),
    lines            BIGINT NOT NULL,
    total            BIGINT NOT NULL,
    refusals         TEXT NOT NULL,
    created_by       TEXT,
    idempotency_key  TEXT,
    request_hash     TEXT,
    created_at       BIGINT NOT NULL,
    CONSTRAINT payout_batches_idempotency_key_unique UNIQUE (merchant_id, idempotency_key)
);
CREATE INDEX payout_batches_list_idx ON payout_batches (merchant_id, mode, created_at);

-- Above this amount (per payout, or per batch's total), a payout waits for a second dashboard
-- user's approval (NULL: never).
ALTER TABLE merchants ADD COLUMN payout_approval_threshold BIGINT;

-- One payout: money from the merchant's provider account to a recipient's wallet. `handle` is the
-- idempotency handle Dalal gives the provider (Wave's `Idempotency-Key`, MTN's `X-Reference-Id`,
-- pawaPay's `payoutId`), a UUID v4 stored before the first call and reused on every retry
-- (PROVIDERS.md, "For payouts"). `sent_at` is set by the one request or worker that claims the
-- send; a payout never sent has none. `next_check_at`/`lease_until`: the worker that asks the
-- provider where a sent payout stands leases it, so that instances never ask (or resend) at once.
CREATE TABLE payouts (
    id                     TEXT PRIMARY KEY,
    merchant_id            TEXT NOT NULL REFERENCES merchants (id),
    mode                   TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    dialect                TEXT NOT NULL CHECK (dialect IN ('caurisflux', 'sahelpay')),
    status                 TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'failed', 'cancelled', 'reversed')),
    amount                 BIGINT NOT NULL CHECK (amount > 0),
    currency               TEXT NOT NULL,
    country                TEXT NOT NULL,
    provider               TEXT NOT NULL,
    gateway                TEXT NOT NULL,
    recipient_phone        TEXT NOT NULL,
    recipient_name         TEXT,
    reason                 TEXT,
    external_reference     TEXT,
    metadata               TEXT,
    handle                 TEXT NOT NULL,
    provider_reference     TEXT,
    fee                    BIGINT,
    failure_code           TEXT,
    provider_failure_code  TEXT,
    idempotency_key        TEXT,
    request_hash           TEXT,
    sent_at                BIGINT,
    next_check_at          BIGINT,
    lease_until            BIGINT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    batch_id               TEXT REFERENCES payout_batches (id),
    line                   BIGINT,
    created_by             TEXT,
    approval               TEXT NOT NULL DEFAULT 'none' CHECK (approval IN ('none', 'required', 'approved', 'rejected')),
    approved_by            TEXT,
    CONSTRAINT payouts_handle_unique UNIQUE (handle),
    CONSTRAINT payouts_idempotency_key_unique UNIQUE (merchant_id, idempotency_key)
);
CREATE INDEX payouts_list_idx ON payouts (merchant_id, mode, created_at, id);
CREATE INDEX payouts_due_idx ON payouts (status, next_check_at);
CREATE INDEX payouts_daily_idx ON payouts (merchant_id, mode, currency, created_at);
CREATE INDEX payouts_provider_reference_idx ON payouts (provider, provider_reference);
CREATE INDEX payouts_batch_idx ON payouts (batch_id, line);

-- A payout's history: every status change, with why.
CREATE TABLE payout_transitions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    payout_id    TEXT NOT NULL REFERENCES payouts (id),
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    reason       TEXT NOT NULL,
    at           BIGINT NOT NULL
);
CREATE INDEX payout_transitions_payout_idx ON payout_transitions (payout_id, id);

-- The sandbox's payout emulators' own book (src/sandbox/emulators/payouts.rs): what Wave, MTN and
-- pawaPay hold on their side. `handle` is the idempotency handle as the provider received it, so
-- that a second call with it finds the first payout; `request` the body as it came.
CREATE TABLE sandbox_payouts (
    id           TEXT PRIMARY KEY,
    provider     TEXT NOT NULL,
    account      TEXT NOT NULL,
    handle       TEXT NOT NULL,
    request      TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    phone        TEXT NOT NULL,
    fee          BIGINT NOT NULL DEFAULT 0,
    scenario     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    CONSTRAINT sandbox_payouts_handle_unique UNIQUE (provider, account, handle)
);

CREATE TABLE webhook_events_new (
    id           TEXT PRIMARY KEY,
    payment_id   BIGINT REFERENCES payments (id),
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    type         TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    refund_id    TEXT REFERENCES refunds (id),
    payout_id    TEXT REFERENCES payouts (id),
    CHECK ((payment_id IS NULL) <> (payout_id IS NULL))
);
CREATE TABLE webhook_deliveries_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id         TEXT NOT NULL REFERENCES webhook_events_new (id),
    url              TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'disabled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT,
    lease_until      BIGINT,
    created_at       BIGINT NOT NULL
);
CREATE TABLE webhook_attempts_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id    BIGINT NOT NULL REFERENCES webhook_deliveries_new (id),
    at             BIGINT NOT NULL,
    http_status    INTEGER,
    latency_ms     BIGINT NOT NULL,
    error          TEXT,
    next_retry_at  BIGINT
);
INSERT INTO webhook_events_new (id, payment_id, merchant_id, type, body, created_at, refund_id)
    SELECT id, payment_id, merchant_id, type, body, created_at, refund_id FROM webhook_events;
INSERT INTO webhook_deliveries_new (id, event_id, url, status, attempts, next_attempt_at, lease_until, created_at)
    SELECT id, event_id, url, status, attempts, next_attempt_at, lease_until, created_at FROM webhook_deliveries;
INSERT INTO webhook_attempts_new (id, delivery_id, at, http_status, latency_ms, error, next_retry_at)
    SELECT id, delivery_id, at, http_status, latency_ms, error, next_retry_at FROM webhook_attempts;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_events;
ALTER TABLE webhook_events_new RENAME TO webhook_events;
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
ALTER TABLE webhook_attempts_new RENAME TO webhook_attempts;
CREATE INDEX webhook_events_payment_idx ON webhook_events (payment_id);
CREATE INDEX webhook_events_payout_idx ON webhook_events (payout_id);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
