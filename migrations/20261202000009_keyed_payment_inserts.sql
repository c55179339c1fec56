-- Creating a payment with an idempotency key in one statement, so SQLite's write lock is held
-- only while the statement runs (`db::payments::insert_keyed`). An insert into this view inserts
-- the payment and its idempotency record, or neither (a key already held fails the statement).
-- The record's body is the response rendered with a placeholder transaction id; `payment_id`
-- says which id replaces it on a replay (`payments::idempotency::fill`).
ALTER TABLE idempotency_keys ADD COLUMN payment_id BIGINT;

CREATE VIEW keyed_payment_inserts AS
SELECT merchant_id, mode, checkout_token, kind, status, amount, currency, country, provider,
       customer_phone, customer_name, customer_email, description, external_reference, callback_url,
       return_url, cancel_url, metadata, expires_at, created_at, card_brand, dialect, method,
       NULL AS idempotency_key, NULL AS request_hash, NULL AS response_status, NULL AS response_body
FROM payments WHERE 0;

CREATE TRIGGER keyed_payment_inserts_insert INSTEAD OF INSERT ON keyed_payment_inserts
BEGIN
    INSERT INTO payments (merchant_id, mode, checkout_token, kind, status, amount, currency, country,
        provider, customer_phone, customer_name, customer_email, description, external_reference,
        callback_url, return_url, cancel_url, metadata, expires_at, created_at, updated_at, card_brand,
        dialect, method)
    VALUES (NEW.merchant_id, NEW.mode, NEW.checkout_token, NEW.kind, NEW.status, NEW.amount,
        NEW.currency, NEW.country, NEW.provider, NEW.customer_phone, NEW.customer_name,
        NEW.customer_email, NEW.description, NEW.external_reference, NEW.callback_url, NEW.return_url,
        NEW.cancel_url, NEW.metadata, NEW.expires_at, NEW.created_at, NEW.created_at, NEW.card_brand,
        NEW.dialect, NEW.method);
    INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, response_status,
        response_body, created_at, payment_id)
    VALUES (NEW.merchant_id, NEW.idempotency_key, NEW.request_hash, NEW.response_status,
        NEW.response_body, NEW.created_at, last_insert_rowid());
END;
