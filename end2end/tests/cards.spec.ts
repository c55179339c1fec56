import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import { BASE_URL, checkScreen, openHydrated } from './support';

const BEARER = 'Bearer sk_test_dalal_demo_5f3a9c2e7b1d4068';

/** A SahelPay card payment, as a merchant's backend creates it. */
async function sahelCardPayment(request: APIRequestContext, method = 'CARD') {
  const response = await request.post('/v1/payments', {
    headers: { Authorization: BEARER },
    data: {
      amount: 15000, currency: 'XOF', payment_method: method, country: 'SN',
      customer_name: 'Awa Ndiaye', customer_email: 'awa@example.com',
      return_url: `${BASE_URL}/?source=carte`, client_reference: `card-${Date.now()}`,
    },
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()).data;
}

async function sahelPayment(request: APIRequestContext, id: string) {
  const response = await request.get(`/v1/payments/${id}`, { headers: { Authorization: BEARER } });
  expect(response.status()).toBe(200);
  return (await response.json()).data;
}

/** Types a card into the checkout page's card form (the holder is prefilled from the API). */
async function typeCard(page: Page, number: string) {
  await page.getByLabel('Numéro de carte').fill(number);
  await page.getByLabel('Expiration (MM/AA)').fill('12/30');
  await page.getByLabel('Code de sécurité').fill('123');
  await expect(page.getByLabel('Nom du titulaire')).toHaveValue('Awa Ndiaye');
}

function payButton(page: Page) {
  return page.getByRole('button', { name: /^Payer \d/ });
}

test('a Visa card is approved: receipt, back on returnUrl, only the last four digits kept', async ({ page, request }) => {
  const data = await sahelCardPayment(request);
  await openHydrated(page, data.redirect_url);
  await expect(page.getByRole('link', { name: 'Carte bancaire', exact: true })).toBeVisible();
  const hint = page.locator('#card-number-hint');
  await expect(hint).toHaveText('Visa, Mastercard ou GIM-UEMOA');
  await page.getByLabel('Numéro de carte').pressSequentially('4242');
  await expect(hint).toHaveText('Visa');
  await typeCard(page, '4242 4242 4242 4242');
  await checkScreen(page, 'card-1-form');

  await payButton(page).click();
  await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Carte bancaire' })).toBeVisible();
  await checkScreen(page, 'card-2-receipt');
  await page.waitForURL((url) => url.searchParams.get('status') === 'succeeded', { timeout: 10_000 });
  expect(new URL(page.url()).searchParams.get('source')).toBe('carte');

  const after = await sahelPayment(request, data.id);
  expect(after.status).toBe('SUCCEEDED');
  expect(after.card).toEqual({ brand: 'VISA', last4: '4242' });
  expect(JSON.stringify(after)).not.toContain('4242424242424242');
});

test('a declined card says why, and another card pays', async ({ page, request }) => {
  const data = await sahelCardPayment(request);
  await openHydrated(page, data.redirect_url);
  await typeCard(page, '4000 0000 0000 0002');
  await payButton(page).click();
  await expect(page.getByRole('alert')).toHaveText(/Votre banque a refusé le paiement/);
  // The refused card's number and code do not stay on the screen; the holder's name does.
  await expect(page.getByLabel('Numéro de carte')).toHaveValue('');
  await expect(page.getByLabel('Code de sécurité')).toHaveValue('');
  await expect(page.getByLabel('Nom du titulaire')).toHaveValue('Awa Ndiaye');
  await checkScreen(page, 'card-3-declined');
  expect((await sahelPayment(request, data.id)).status).toBe('PENDING');

  await typeCard(page, '5555 5555 5555 4444');
  await payButton(page).click();
  await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible();
  expect((await sahelPayment(request, data.id)).card).toEqual({ brand: 'MASTERCARD', last4: '4444' });
});

test('3-D Secure: the bank page asks for a code, then back to the checkout', async ({ page, request }) => {
  const data = await sahelCardPayment(request, 'VISA');
  await openHydrated(page, data.redirect_url);
  await expect(page.locator('#card-number-hint')).toHaveText('Carte acceptée : Visa');
  await typeCard(page, '4000 0000 0000 3220');
  await payButton(page).click();

  await page.waitForURL(/\/sandbox\/3ds\/auth_/);
  await expect(page.getByText('Visa •••• 3220')).toBeVisible();
  await checkScreen(page, 'card-4-3ds');

  // A customer who comes back to the checkout page is sent on to their bank again.
  await openHydrated(page, data.redirect_url);
  await expect(page.getByRole('heading', { name: 'Confirmez le paiement auprès de votre banque' })).toBeVisible();
  await expect(page.getByText('Visa •••• 3220')).toBeVisible();
  await checkScreen(page, 'card-5-authenticate');
  await page.getByRole('link', { name: 'Continuer vers ma banque' }).click();
  await page.waitForURL(/\/sandbox\/3ds\/auth_/);
  await page.getByLabel(/Code reçu par SMS/).fill('111111');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByRole('alert')).toHaveText(/Code incorrect/);
  await page.getByLabel(/Code reçu par SMS/).fill('123456');
  await page.getByRole('button', { name: 'Valider' }).click();

  await page.waitForURL(/\/pay\//);
  await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible();
  expect((await sahelPayment(request, data.id)).status).toBe('SUCCEEDED');
});

test('a mistyped card number is flagged as it is typed', async ({ page, request }) => {
  const data = await sahelCardPayment(request);
  await openHydrated(page, data.redirect_url);
  const number = page.getByLabel('Numéro de carte');
  await number.fill('4242 4242 4242 4241');
  await expect(page.locator('#card-number-hint')).toHaveText('Numéro de carte invalide : vérifiez les chiffres saisis');
  await expect(number).toHaveAttribute('aria-invalid', 'true');
  await number.fill('4242 4242 4242 4242');
  await expect(number).not.toHaveAttribute('aria-invalid', 'true');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('a card with 3-D Secure is paid through plain forms', async ({ page, request }) => {
    const data = await sahelCardPayment(request);
    await page.goto(data.redirect_url);
    await typeCard(page, '4000 0000 0000 3220');
    await payButton(page).click();
    await page.waitForURL(/\/sandbox\/3ds\/auth_/);
    await page.getByLabel(/Code reçu par SMS/).fill('123456');
    await page.getByRole('button', { name: 'Valider' }).click();
    await page.waitForURL(/\/pay\//);
    await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible();
  });
});
