-- The Orange Money emulator finds transactions by the merchant's `reference`, as Sonatel's
-- search does (src/sandbox/emulators/orange_money.rs).
ALTER TABLE sandbox_sessions ADD COLUMN reference TEXT;
CREATE INDEX sandbox_sessions_reference_idx ON sandbox_sessions (provider, reference);
