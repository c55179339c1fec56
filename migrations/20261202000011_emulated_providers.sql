-- Test mode talks to emulators of the providers' HTTP APIs (src/providers/sandbox/emulators).
-- An emulated session keeps the API request that opened it, as JSON, to echo it back as the
-- provider does (Wave's success_url, client_reference, …).
ALTER TABLE sandbox_sessions ADD COLUMN request TEXT;
