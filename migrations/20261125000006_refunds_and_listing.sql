-- Refunds, and what listing payments needs.

-- The method a payment was last tried with (the `method` filter of the listings). A payment's
-- `provider` stays what the merchant fixed, if anything.
ALTER TABLE payments ADD COLUMN method TEXT;
UPDATE payments SET method = COALESCE(provider,
    (SELECT a.provider FROM payment_attempts a WHERE a.payment_id = payments.id ORDER BY a.seq DESC LIMIT 1));

-- Listings: a merchant's payments in one mode, newest first, by keyset on `id`.
CREATE INDEX payments_list_idx ON payments (merchant_id, mode, id);
CREATE INDEX payments_list_status_idx ON payments (merchant_id, mode, status, id);
CREATE INDEX payments_list_reference_idx ON payments (merchant_id, mode, external_reference, id);

-- A refund of (part of) a succeeded payment, through the provider that took the money.
-- The sum of a payment's pending and succeeded refunds never exceeds its amount: refunds are
-- created in a transaction that holds the payment's row lock.
CREATE TABLE refunds (
    id                  TEXT PRIMARY KEY,
    payment_id          BIGINT NOT NULL REFERENCES payments (id),
    merchant_id         TEXT NOT NULL REFERENCES merchants (id),
    amount              BIGINT NOT NULL CHECK (amount > 0),
    reason              TEXT,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    provider_reference  TEXT,
    failure_code        TEXT,
    -- The merchant's X-Idempotency-Key and the fingerprint of its request: the same key again
    -- answers the same refund; with another request, it is refused.
    idempotency_key     TEXT,
    request_hash        TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    CONSTRAINT refunds_idempotency_key_unique UNIQUE (merchant_id, idempotency_key)
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id, created_at);

-- A webhook event may be about a refund (its payment is still `payment_id`).
ALTER TABLE webhook_events ADD COLUMN refund_id TEXT REFERENCES refunds (id);
