-- A direct payment whose push is already on the customer's phone (MTN MoMo, Free Money, Moov
-- Money) is created `processing` in the same one statement as the others: the view gains the
-- transition's reason, and its trigger records the payment's status reason and the transition
-- `pending → processing` when it is given (`db::payments::insert_keyed`). Same rows as the
-- transaction of `Payments::create` wrote.
DROP TRIGGER keyed_payment_inserts_insert;
DROP VIEW keyed_payment_inserts;

CREATE VIEW keyed_payment_inserts AS
SELECT merchant_id, mode, checkout_token, kind, status, amount, currency, country, provider,
       customer_phone, customer_name, customer_email, description, external_reference, callback_url,
       return_url, cancel_url, metadata, expires_at, created_at, card_brand, dialect, method,
       NULL AS idempotency_key, NULL AS request_hash, NULL AS response_status, NULL AS response_body,
       NULL AS attempt_id, NULL AS attempt_status, NULL AS provider_reference,
       NULL AS provider_status, NULL AS launch_url, NULL AS deep_links, NULL AS next_check_at,
       NULL AS gateway, NULL AS routing_reason, NULL AS transition_reason
FROM payments WHERE 0;

CREATE TRIGGER keyed_payment_inserts_insert INSTEAD OF INSERT ON keyed_payment_inserts
BEGIN
    INSERT INTO payments (merchant_id, mode, checkout_token, kind, status, status_reason, amount,
        currency, country, provider, customer_phone, customer_name, customer_email, description,
        external_reference, callback_url, return_url, cancel_url, metadata, expires_at, created_at,
        updated_at, card_brand, dialect, method)
    VALUES (NEW.merchant_id, NEW.mode, NEW.checkout_token, NEW.kind, NEW.status,
        NEW.transition_reason, NEW.amount, NEW.currency, NEW.country, NEW.provider,
        NEW.customer_phone, NEW.customer_name, NEW.customer_email, NEW.description,
        NEW.external_reference, NEW.callback_url, NEW.return_url, NEW.cancel_url, NEW.metadata,
        NEW.expires_at, NEW.created_at, NEW.created_at, NEW.card_brand, NEW.dialect, NEW.method);
    INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_hash, response_status,
        response_body, created_at, payment_id)
    VALUES (NEW.merchant_id, NEW.idempotency_key, NEW.request_hash, NEW.response_status,
        NEW.response_body, NEW.created_at, last_insert_rowid());
    INSERT INTO payment_attempts (id, payment_id, provider, status, customer_phone, created_at,
        updated_at, provider_reference, provider_status, launch_url, deep_links, next_check_at,
        gateway, routing_reason)
    SELECT NEW.attempt_id, payment_id, NEW.provider, NEW.attempt_status, NEW.customer_phone,
        NEW.created_at, NEW.created_at, NEW.provider_reference, NEW.provider_status, NEW.launch_url,
        NEW.deep_links, NEW.next_check_at, NEW.gateway, NEW.routing_reason
    FROM idempotency_keys
    WHERE NEW.attempt_id IS NOT NULL
      AND merchant_id = NEW.merchant_id AND idempotency_key = NEW.idempotency_key;
    INSERT INTO payment_transitions (payment_id, from_status, to_status, reason, at)
    SELECT payment_id, 'pending', NEW.status, NEW.transition_reason, NEW.created_at
    FROM idempotency_keys
    WHERE NEW.transition_reason IS NOT NULL
      AND merchant_id = NEW.merchant_id AND idempotency_key = NEW.idempotency_key;
END;
