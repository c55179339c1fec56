-- People who sign in to the merchant dashboard. A user belongs to one merchant and sees only its
-- data. The password is stored as an Argon2id PHC string. Wrong passwords in a row lock the
-- account for a while, longer each time (`locked_until`, Unix milliseconds).
CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    email            TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    failed_sign_ins  INTEGER NOT NULL DEFAULT 0,
    locked_until     BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    last_sign_in_at  BIGINT
);

-- E-mail addresses are stored lower-cased; one account per address.
CREATE UNIQUE INDEX users_email_unique ON users (email);
CREATE INDEX users_merchant_idx ON users (merchant_id);
