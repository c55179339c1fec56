-- Smart routing: which gateway served an attempt and why, and each gateway's recent health.
ALTER TABLE payment_attempts ADD COLUMN gateway TEXT;
ALTER TABLE payment_attempts ADD COLUMN routing_reason TEXT;

CREATE TABLE gateway_health (
    gateway               TEXT PRIMARY KEY,
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    skip_until            BIGINT NOT NULL DEFAULT 0
);
