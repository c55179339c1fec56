-- Card payments: the brand a merchant asked for (SahelPay's VISA, MASTERCARD, GIM_UEMOA), and
-- what an attempt keeps of the card: its brand and last four digits, never the number.
ALTER TABLE payments ADD COLUMN card_brand TEXT;
ALTER TABLE payment_attempts ADD COLUMN card_brand TEXT;
ALTER TABLE payment_attempts ADD COLUMN card_last4 TEXT;
