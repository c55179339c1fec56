-- The sandbox bank counts wrong 3-D Secure codes: after three, it refuses the payment, as
-- issuers do.
ALTER TABLE sandbox_sessions ADD COLUMN wrong_codes INTEGER NOT NULL DEFAULT 0;
