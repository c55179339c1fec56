-- A payment remembers the API dialect it was created in, so its webhooks speak that dialect.
-- Payments from before this migration were all shaped the CaurisFlux way.
ALTER TABLE payments ADD COLUMN dialect TEXT NOT NULL DEFAULT 'caurisflux'
    CHECK (dialect IN ('caurisflux', 'sahelpay'));

-- Each merchant's default webhook endpoint, for payments created without a callback URL
-- (`dalal set-webhook-url MERCHANT_ID URL`).
ALTER TABLE merchants ADD COLUMN webhook_url TEXT;
