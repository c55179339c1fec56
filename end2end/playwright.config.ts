import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Playwright starts Dalal itself: the binary built by `cargo leptos build`, a fresh database
// file, a port of its own. `.ci/test` sets DALAL_BIN; the default is the usual cache location.
const port = Number(process.env.DALAL_E2E_PORT ?? 3765);
const baseURL = `http://127.0.0.1:${port}`;
const bin = process.env.DALAL_BIN ?? `${process.env.HOME}/.cache/dalal/target/debug/dalal`;
const dataDir = mkdtempSync(join(tmpdir(), 'dalal-e2e-'));

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
  webServer: {
    command: bin,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    cwd: '..',
    env: {
      DALAL__SERVER__ADDRESS: `127.0.0.1:${port}`,
      DATABASE_URL: `sqlite://${dataDir}/dalal.db`,
      DALAL__SANDBOX__ANSWER_DELAY_MS: '1500',
      LEPTOS_SITE_ROOT: 'target/site',
      RUST_LOG: 'warn',
    },
  },
});
