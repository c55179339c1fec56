import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const PORT = Number(process.env.DALAL_E2E_PORT ?? 3765);
export const SHORT_EXPIRY_PORT = PORT + 1;
export const BASE_URL = `http://127.0.0.1:${PORT}`;
export const DEMO_KEY = 'pk_test_dalal_demo:sk_test_dalal_demo_5f3a9c2e7b1d4068';

/** Creates a payment through the merchant API and returns its `data`. */
export async function createPayment(request: APIRequestContext, body: Record<string, unknown>, base = BASE_URL) {
  const response = await request.post(`${base}/api/v1/payments/initiate`, {
    headers: { 'X-API-Key': DEMO_KEY },
    data: { externalReference: `E2E-${Date.now()}-${Math.floor(Math.random() * 1e6)}`, ...body },
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()).data;
}

export async function paymentStatus(request: APIRequestContext, transactionId: string, base = BASE_URL) {
  const response = await request.get(`${base}/api/v1/payments/${transactionId}`, { headers: { 'X-API-Key': DEMO_KEY } });
  expect(response.status()).toBe(200);
  return (await response.json()).data.status as string;
}

/** Saves a screenshot of the current screen and checks it with axe-core: zero violations. */
export async function checkScreen(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/${test.info().project.name}-${name}.png`, fullPage: true });
  const axe = () => new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  // A waiting screen moves on by itself when the provider answers: if it navigates while axe
  // reads it, axe reads the screen it moved to (also one the customer sees). A navigation can
  // also drop axe's injected script between its steps (`… reading 'utils'`).
  let results;
  for (let tries = 1; ; tries++) {
    try {
      results = await axe();
      break;
    } catch (error) {
      if (tries === 3 || !/Execution context was destroyed|navigation|reading 'utils'/.test((error as Error).message)) throw error;
      await page.waitForLoadState('load');
    }
  }
  const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(summary, `accessibility violations on ${name}`).toEqual([]);
}

/** Opens a page and waits until its WebAssembly has hydrated it. */
export async function openHydrated(page: Page, url: string) {
  await page.goto(url);
  await page.locator('body[data-hydrated]').waitFor({ state: 'attached' });
}

/** The checkout page, as a customer uses it. */
export class CheckoutPage {
  constructor(readonly page: Page) {}

  amount() {
    return this.page.getByRole('heading', { level: 1 });
  }

  status() {
    return this.page.getByRole('status').first();
  }

  async chooseMethod(name: string) {
    await this.page.getByRole('link', { name, exact: true }).click();
  }

  async payWithApp(name: string) {
    await this.page.getByRole('button', { name: `Payer avec l'application ${name}` }).click();
  }

  async payWithNumber(number: string) {
    await this.page.getByLabel('Votre numéro').fill(number);
    await this.page.getByRole('button', { name: /^Payer \d/ }).click();
  }

  openAppLink(name: string) {
    return this.page.getByRole('link', { name: `Ouvrir ${name}` });
  }

  qrCode(name: string) {
    return this.page.getByRole('img', { name: `QR code de paiement ${name}` });
  }

  async cancel() {
    await this.page.getByRole('button', { name: 'Annuler le paiement' }).click();
  }
}

/** The sandbox "phone": what a QR code or deep link opens in test mode. */
export async function answerOnSandboxPhone(page: Page, link: string, answer: 'Approuver le paiement' | 'Refuser') {
  const phone = await page.context().newPage();
  await phone.goto(link);
  await phone.getByRole('button', { name: answer }).click();
  await expect(phone.getByRole('status')).toBeVisible();
  await phone.close();
}
