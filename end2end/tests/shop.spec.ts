import { test, expect, type Page } from '@playwright/test';

const DEMO_KEY = 'pk_test_dalal_demo:sk_test_dalal_demo_5f3a9c2e7b1d4068';

async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: `screenshots/${test.info().project.name}-${name}.png`, fullPage: true });
}

test('the demo shop sends the customer to a checkout page with the amount and methods', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Nos produits' })).toBeVisible();
  await screenshot(page, 'shop');

  const wax = page.getByRole('listitem').filter({ hasText: 'Tissu wax' });
  await wax.getByRole('button', { name: /payer avec Dalal/ }).click();

  await expect(page).toHaveURL(/\/pay\/[A-Za-z0-9_-]{43}$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('10\u202f000\u00a0FCFA');
  await expect(page.getByText('Boutique Démo Dalal')).toBeVisible();
  // The customer's country is not known: Senegal first, where Wave, Orange Money and Free Money work.
  for (const method of ['Wave', 'Orange Money', 'Free Money']) {
    await expect(page.getByRole('link', { name: method, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('link', { name: 'MTN MoMo' })).toHaveCount(0);
  await screenshot(page, 'checkout');
});

test('a payment created through the API opens on its checkout page', async ({ page, request }) => {
  const response = await request.post('/api/v1/payments/initiate', {
    headers: { 'X-API-Key': DEMO_KEY },
    data: {
      type: 'checkout',
      amount: 25000,
      country: 'CM',
      currency: 'XAF',
      externalReference: 'PANIER-67890',
      description: 'Panier #67890 - 3 articles',
    },
  });
  expect(response.status()).toBe(201);
  const { data } = await response.json();
  await page.goto(data.redirectUrl);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('25\u202f000\u00a0FCFA');
  await expect(page.getByText('PANIER-67890')).toBeVisible();
  // Cameroon: Orange Money (through pawaPay's PIN prompt: Sonatel's API is Senegal's, in XOF),
  // MTN MoMo and cards.
  await expect(page.locator('.method-link')).toHaveText(['Orange Money', 'MTN MoMo', 'Carte bancaire']);
});

test('an unknown checkout link says so instead of failing', async ({ page }) => {
  await page.goto('/pay/this-token-does-not-exist');
  await expect(page.getByRole('heading', { name: 'Lien de paiement introuvable' })).toBeVisible();
});
