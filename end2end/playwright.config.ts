import { defineConfig, devices } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Playwright starts Dalal itself: the binary built by `cargo leptos build`, a fresh database
// file, a port of its own. `.ci/test` sets DALAL_BIN; the default is the usual cache location.
import { PORT, SHORT_EXPIRY_PORT } from './tests/support';

const baseURL = `http://127.0.0.1:${PORT}`;
// Same cache folder as .ci/env: one per checkout path.
const checkout = createHash('sha256').update(`${realpathSync('..')}\n`).digest('hex').slice(0, 12);
const bin = (process.env.DALAL_BIN ??= `${process.env.HOME}/.cache/dalal/target-${checkout}/debug/dalal`);
export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [['list']],
  use: {
    baseURL,
    // Dalal's customers read French first; one test asks for English explicitly.
    locale: 'fr-SN',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'phone', use: { ...devices['Pixel 5'], viewport: { width: 360, height: 640 }, browserName: 'chromium' } },
    { name: 'desktop', use: { ...devices['Desktop Chrome'], viewport: { width: 1280, height: 800 } } },
  ],
  webServer: [
    server(PORT, {}),
    // A second Dalal whose payments expire after 4 seconds, for the expired-payment screen.
    server(SHORT_EXPIRY_PORT, { DALAL__PAYMENTS__EXPIRY_SECS: '4' }),
  ],
});

function server(port: number, env: Record<string, string>) {
  // Made once, in Playwright's main process; its workers inherit the variable, so a test can
  // reach the same database with the dalal command line (dashboard.spec.ts).
  const dataDir = (process.env[`DALAL_E2E_DATA_${port}`] ??= mkdtempSync(join(tmpdir(), 'dalal-e2e-')));
  return {
    command: bin,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    cwd: '..',
    env: {
      DALAL__SERVER__ADDRESS: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${dataDir}/dalal.db`,
      DALAL__SANDBOX__ANSWER_DELAY_MS: '1500',
      LEPTOS_SITE_ROOT: 'target/site',
      RUST_LOG: 'warn',
      ...env,
    },
  };
}
