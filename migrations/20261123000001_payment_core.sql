-- The payment core. Times are Unix milliseconds (BIGINT) so the same schema reads the same on
-- SQLite and PostgreSQL; amounts are integers in the currency's minor unit.

CREATE TABLE merchants (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- One row per key pair. The secret is stored as its SHA-256: API secrets are long random strings,
-- so a fast hash is enough and keeps every request cheap (PRODUCT.md, "Merchants and keys").
CREATE TABLE api_keys (
    public_key   TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    mode         TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    secret_hash  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    CONSTRAINT api_keys_secret_hash_unique UNIQUE (secret_hash)
);

CREATE TABLE payments (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id         TEXT NOT NULL REFERENCES merchants (id),
    mode                TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    checkout_token      TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('direct', 'checkout')),
    status              TEXT NOT NULL,
    amount              BIGINT NOT NULL CHECK (amount > 0),
    currency            TEXT NOT NULL,
    country             TEXT,
    provider            TEXT,
    customer_phone      TEXT,
    customer_name       TEXT,
    customer_email      TEXT,
    description         TEXT,
    external_reference  TEXT NOT NULL,
    callback_url        TEXT,
    return_url          TEXT,
    cancel_url          TEXT,
    metadata            TEXT,
    failed_attempts     INTEGER NOT NULL DEFAULT 0,
    status_reason       TEXT,
    expires_at          BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    CONSTRAINT payments_checkout_token_unique UNIQUE (checkout_token)
);
CREATE INDEX payments_merchant_idx ON payments (merchant_id, created_at);
CREATE INDEX payments_open_expiry_idx ON payments (status, expires_at);

-- Every status change, with its time and reason.
CREATE TABLE payment_transitions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    payment_id  BIGINT NOT NULL REFERENCES payments (id),
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX payment_transitions_payment_idx ON payment_transitions (payment_id, id);

-- One row per call to a provider. A payment may have several (retry with another method).
CREATE TABLE payment_attempts (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL,
    payment_id          BIGINT NOT NULL REFERENCES payments (id),
    provider            TEXT NOT NULL,
    status              TEXT NOT NULL,
    provider_reference  TEXT,
    provider_status     TEXT,
    customer_phone      TEXT,
    launch_url          TEXT,
    deep_links          TEXT,
    failure_code        TEXT,
    failure_message     TEXT,
    next_check_at       BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    CONSTRAINT payment_attempts_id_unique UNIQUE (id)
);
CREATE INDEX payment_attempts_payment_idx ON payment_attempts (payment_id, seq);
-- At most one open attempt per payment: two racing method choices cannot both reach a provider.
CREATE UNIQUE INDEX payment_attempts_one_open_idx ON payment_attempts (payment_id)
    WHERE status IN ('created', 'awaiting_customer');
CREATE INDEX payment_attempts_reference_idx ON payment_attempts (provider, provider_reference);
CREATE INDEX payment_attempts_due_idx ON payment_attempts (status, next_check_at);

-- Idempotency per merchant: the first request's fingerprint and, once done, its response.
CREATE TABLE idempotency_keys (
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    idempotency_key  TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    response_status  INTEGER,
    response_body    TEXT,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, idempotency_key)
);

-- State of the sandbox connectors: what a real provider keeps on its side.
CREATE TABLE sandbox_sessions (
    id           TEXT PRIMARY KEY,
    provider     TEXT NOT NULL,
    flow         TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    phone        TEXT,
    scenario     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    decision     TEXT,
    decided_at   BIGINT
);
CREATE INDEX sandbox_sessions_phone_idx ON sandbox_sessions (phone, amount, created_at);
