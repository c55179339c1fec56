// How long a customer on a cheap phone and a slow link waits for the checkout page: Chromium with
// DevTools' "Slow 3G" (2 s round trip, 50 kB/s each way) and a CPU four times slower, a cold cache.
// Prints, for a fresh checkout page (median of RUNS loads): first contentful paint (the amount
// and the methods are on screen), the `load` event, and "interactive" — the moment its
// WebAssembly has taken over (`body[data-hydrated]`) and the network is idle.
// Run through `./.ci/page-weight`, which builds the release bundle and starts a server.
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3777';
const RUNS = Number(process.env.RUNS ?? 3);
const SLOW_3G = { offline: false, latency: 2000, downloadThroughput: 50_000, uploadThroughput: 50_000 };
const CPU_SLOWDOWN = 4;

async function newCheckoutPage() {
  const res = await fetch(`${base}/api/v1/payments/initiate`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': 'pk_test_dalal_demo:sk_test_dalal_demo_5f3a9c2e7b1d4068' },
    body: JSON.stringify({ type: 'checkout', amount: 25000, country: 'SN', externalReference: `LENT-${Date.now()}` }),
  });
  return (await res.json()).data.redirectUrl;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const samples = [];
for (let i = 0; i < RUNS; i++) {
  const url = await newCheckoutPage();
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'fr-SN' });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const start = Date.now();
  await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
  const load = Date.now() - start;
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached', timeout: 120_000 });
  await page.waitForLoadState('networkidle', { timeout: 120_000 });
  const interactive = Date.now() - start;
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
  const bytes = await page.evaluate(() => performance.getEntriesByType('resource').reduce((n, r) => n + r.transferSize, 0)
    + performance.getEntriesByType('navigation').reduce((n, r) => n + r.transferSize, 0));
  samples.push({ fcp, load, interactive, bytes });
  await context.close();
}
await browser.close();

const median = (k) => samples.map((s) => s[k]).sort((a, b) => a - b)[Math.floor(samples.length / 2)];
console.log(`Checkout page on slow 3G (2 s RTT, 50 kB/s) with a ${CPU_SLOWDOWN}x slower CPU, median of ${RUNS} cold loads:`);
console.log(`  first contentful paint ${(median('fcp') / 1000).toFixed(1)} s`);
console.log(`  load event             ${(median('load') / 1000).toFixed(1)} s`);
console.log(`  interactive            ${(median('interactive') / 1000).toFixed(1)} s (WebAssembly hydrated, network idle)`);
console.log(`  bytes transferred      ${median('bytes')}`);
