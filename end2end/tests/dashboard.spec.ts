import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { BASE_URL, DEMO_KEY, PORT, checkScreen, createPayment } from './support';

const DEMO_USER = { email: 'demo@dalal.test', password: 'demo-dalal-2026' };

async function signIn(page: Page) {
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/dashboard\/connexion$/);
  await page.getByLabel('Adresse e-mail').fill(DEMO_USER.email);
  await page.getByLabel('Mot de passe').fill(DEMO_USER.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('heading', { name: 'Paiements', level: 1 })).toBeVisible();
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'dashboard' : 'dashboard without JavaScript', () => {
    test.use({ javaScriptEnabled });

    test('sign in, find a payment by its reference, read its history', async ({ page, request }) => {
      const reference = `DASH-${Date.now()}-${javaScriptEnabled ? 'js' : 'nojs'}`;
      const data = await createPayment(request, {
        type: 'checkout', amount: 12500, country: 'SN', externalReference: reference, customerName: 'Awa Ndiaye',
      });
      await page.goto('/dashboard/connexion');
      if (javaScriptEnabled) await checkScreen(page, 'dashboard-1-sign-in');
      await signIn(page);
      if (javaScriptEnabled) await checkScreen(page, 'dashboard-2-payments');

      await page.getByLabel('Référence ou transaction').fill(reference);
      await page.getByRole('button', { name: 'Filtrer' }).click();
      const rows = page.locator('table.payments tbody tr');
      await expect(rows).toHaveCount(1);
      await expect(rows.first()).toContainText('12\u202f500\u00a0FCFA');
      await expect(rows.first()).toContainText('En attente');

      await page.getByRole('link', { name: data.transactionId }).click();
      await expect(page.getByRole('heading', { level: 1 })).toContainText('12\u202f500\u00a0FCFA');
      await expect(page.getByText('Awa Ndiaye')).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Historique' })).toBeVisible();
      if (javaScriptEnabled) await checkScreen(page, 'dashboard-3-payment');

      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await expect(page).toHaveURL(/\/dashboard\/connexion$/);
      await page.goto(`/dashboard/paiements/${data.transactionId}`);
      await expect(page).toHaveURL(/\/dashboard\/connexion$/);
    });
  });
}

/** A checkout payment paid by card on the checkout page (no JavaScript needed). */
async function paidByCard(page: Page, request: import('@playwright/test').APIRequestContext, reference: string) {
  const data = await createPayment(request, {
    type: 'checkout', amount: 20000, country: 'SN', externalReference: reference, customerName: 'Awa Ndiaye',
  });
  await page.goto(data.redirectUrl);
  await page.getByRole('link', { name: 'Carte bancaire', exact: true }).click();
  await page.getByLabel('Numéro de carte').fill('4242 4242 4242 4242');
  await page.getByLabel('Expiration (MM/AA)').fill('12/30');
  await page.getByLabel('Code de sécurité').fill('123');
  await page.getByRole('button', { name: /^Payer \d/ }).click();
  await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible();
  return data.transactionId as string;
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'refunds' : 'refunds without JavaScript', () => {
    test.use({ javaScriptEnabled });

    test('refund part of a paid payment and see it on the payment and in the list', async ({ page, request }) => {
      const reference = `DASH-RF-${Date.now()}-${javaScriptEnabled ? 'js' : 'nojs'}`;
      const id = await paidByCard(page, request, reference);
      await signIn(page);
      await page.goto(`/dashboard?recherche=${reference}`);
      await expect(page.locator('table.payments tbody tr').first()).toContainText('Réussi');
      await page.getByRole('link', { name: id }).click();

      await page.getByLabel('Montant à rembourser (vide : tout ce qui reste)').fill('5000');
      await page.getByLabel('Motif (facultatif)').fill('Article abîmé');
      await page.getByLabel('Je confirme le remboursement').check();
      await page.getByRole('button', { name: 'Rembourser' }).click();
      await expect(page.getByRole('status')).toContainText('Remboursement de 5\u202f000\u00a0FCFA demandé');
      await expect(page.getByRole('definition').filter({ hasText: '5\u202f000\u00a0FCFA' })).toBeVisible();
      await expect(page.getByRole('cell', { name: 'Article abîmé' })).toBeVisible();
      if (javaScriptEnabled) await checkScreen(page, 'dashboard-4-refunded');

      const api = await request.get(`/api/v1/payments/${id}`, {
        headers: { 'X-API-Key': 'pk_test_dalal_demo:sk_test_dalal_demo_5f3a9c2e7b1d4068' },
      });
      const { refunds } = (await api.json()).data;
      expect(refunds.map((r: { amount: number; reason: string }) => [r.amount, r.reason])).toEqual([[5000, 'Article abîmé']]);
    });
  });
}

test('the filtered list downloads as CSV', async ({ page, request }) => {
  const reference = `DASH-CSV-${Date.now()}`;
  const data = await createPayment(request, { type: 'checkout', amount: 4200, externalReference: reference, description: 'Thé, sucre' });
  await signIn(page);
  await page.getByLabel('Référence ou transaction').fill(reference);
  await page.getByRole('button', { name: 'Filtrer' }).click();
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Exporter cette liste en CSV' }).click();
  const file = await (await download).path();
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(file!, 'utf8').trim().split('\r\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toBe('transaction_id,reference,statut,montant,devise,moyen,cree_le,client,telephone,description');
  expect(lines[1]).toMatch(new RegExp(`^${data.transactionId},${reference},pending,4200,XOF,,.*,"Thé, sucre"$`));
});

test('a payment link made in the dashboard is paid through the checkout page', async ({ page, browser }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Liens de paiement' }).click();
  await page.getByLabel('Montant (FCFA)').fill('3500');
  await page.getByLabel('Description (ce que le client achète)').fill('Tissu bazin, 3 mètres');
  await page.getByRole('button', { name: 'Créer le lien' }).click();
  await expect(page.getByRole('heading', { name: 'Lien créé : 3\u202f500\u00a0FCFA' })).toBeVisible();
  await expect(page.getByRole('img', { name: /QR code du lien de paiement TX\d+/ })).toBeVisible();
  await checkScreen(page, 'dashboard-5-link');
  const url = await page.getByLabel('Lien à partager').inputValue();

  // The customer, on their own phone.
  const customer = await browser.newPage();
  await customer.goto(url);
  await expect(customer.getByText('Tissu bazin, 3 mètres')).toBeVisible();
  await customer.getByRole('link', { name: 'Carte bancaire', exact: true }).click();
  await customer.getByLabel('Numéro de carte').fill('4242 4242 4242 4242');
  await customer.getByLabel('Expiration (MM/AA)').fill('12/30');
  await customer.getByLabel('Code de sécurité').fill('123');
  await customer.getByLabel('Nom du titulaire').fill('Awa Ndiaye');
  await customer.getByRole('button', { name: /^Payer 3/ }).click();
  await expect(customer.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible();
  await customer.close();

  await page.getByRole('link', { name: 'Paiements', exact: true }).click();
  await expect(page.locator('table.payments tbody tr').first()).toContainText('Réussi');
  await expect(page.locator('table.payments tbody tr').first()).toContainText('3\u202f500\u00a0FCFA');
});

test('the dashboard reads at 320 px', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 }, locale: 'fr-SN' });
  const page = await context.newPage();
  await signIn(page);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  await checkScreen(page, 'dashboard-320px');
  await context.close();
});

test('a wrong password says so and signs nobody in', async ({ page }) => {
  await page.goto('/dashboard/connexion');
  await page.getByLabel('Adresse e-mail').fill('nobody@dalal.test');
  await page.getByLabel('Mot de passe').fill('not the password');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('alert')).toHaveText('Adresse e-mail ou mot de passe incorrect.');
});

test('replace an API key and use the new one through the API', async ({ page, request }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Développeurs' }).click();
  await expect(page.getByRole('heading', { name: 'Clés API de test' })).toBeVisible();
  const demoKey = page.locator('li.key').filter({ hasText: 'pk_test_dalal_demo' });
  await expect(demoKey).toBeVisible();
  await checkScreen(page, 'dashboard-6-developers');

  // The demo key keeps working for 24 hours: the other tests still use it.
  await demoKey.getByLabel("L'ancienne clé fonctionne encore").selectOption('24h');
  await demoKey.getByLabel('Je confirme le remplacement de cette clé').check();
  await demoKey.getByRole('button', { name: 'Remplacer la clé' }).click();
  await expect(page.getByRole('heading', { name: 'Votre nouvelle clé' })).toBeVisible();
  await checkScreen(page, 'dashboard-7-new-key');
  const publicKey = await page.getByLabel('Clé publique').inputValue();
  const secret = await page.getByLabel('Secret', { exact: true }).inputValue();
  expect(publicKey).toMatch(/^pk_test_/);
  expect(secret).toMatch(/^sk_test_/);

  const reference = `DASH-KEY-${Date.now()}`;
  const created = await request.post('/api/v1/payments/initiate', {
    headers: { 'X-API-Key': `${publicKey}:${secret}` },
    data: { type: 'checkout', amount: 1500, externalReference: reference },
  });
  expect(created.status()).toBe(201);
  const wrong = await request.post('/api/v1/payments/initiate', {
    headers: { 'X-API-Key': `${publicKey}:sk_test_not_the_secret` },
    data: { type: 'checkout', amount: 1500, externalReference: reference },
  });
  expect(wrong.status()).toBe(401);

  // The secret is not shown again; the payment made with the new key is the merchant's.
  await page.reload();
  await expect(page.getByLabel('Secret', { exact: true })).toHaveCount(0);
  await expect(page.locator('li.key').filter({ hasText: publicKey })).toContainText('Active');
  await page.getByRole('link', { name: 'Paiements', exact: true }).click();
  await page.getByLabel('Référence ou transaction').fill(reference);
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await expect(page.locator('table.payments tbody tr')).toHaveCount(1);
});

test('a webhook that fails shows its tries, and is sent again from the payment page', async ({ page, request }) => {
  const reference = `DASH-WH-${Date.now()}`;
  // An endpoint that answers 404: each try is recorded with its answer.
  const data = await createPayment(request, {
    type: 'checkout', amount: 3000, externalReference: reference, callbackUrl: `${BASE_URL}/nobody-listens-here`,
  });
  const cancelled = await request.post(`/api/v1/payments/${data.transactionId}/cancel`, { headers: { 'X-API-Key': DEMO_KEY } });
  expect(cancelled.status()).toBe(200);
  await signIn(page);
  await page.goto(`/dashboard/paiements/${data.transactionId}?mode=test`);
  const delivery = page.locator('section.delivery').filter({ hasText: 'payment.cancelled' });
  await expect(async () => {
    await page.reload();
    await expect(delivery.locator('tbody tr').first().locator('td').nth(1)).toHaveText(/^40[45]$/, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await checkScreen(page, 'dashboard-8-webhook-tries');

  const tries = await delivery.locator('tbody tr').count();
  await page.getByLabel('Je confirme le renvoi du dernier événement').check();
  await page.getByRole('button', { name: 'Renvoyer le webhook' }).click();
  await expect(page.getByRole('status')).toContainText('Webhook renvoyé à');
  await expect(async () => {
    await page.reload();
    expect(await page.locator('section.delivery').locator('tbody tr').count()).toBeGreaterThan(tries);
  }).toPass({ timeout: 15_000 });

  // The developers screen lists the failure too, linked to the payment.
  await page.getByRole('link', { name: 'Développeurs' }).click();
  await expect(page.getByRole('link', { name: data.transactionId }).first()).toBeVisible();
});

test("another merchant's user who edits URLs never sees this merchant's payments", async ({ page, request }) => {
  const reference = `DASH-ISO-${Date.now()}`;
  const data = await createPayment(request, { type: 'checkout', amount: 7000, externalReference: reference, customerName: 'Awa Ndiaye' });
  // Merchant B and its user, made with the dalal command line on the server's database.
  const env = { ...process.env, DATABASE_URL: `sqlite://${process.env[`DALAL_E2E_DATA_${PORT}`]}/dalal.db`, RUST_LOG: 'warn' };
  const made = execFileSync(process.env.DALAL_BIN!, ['create-merchant', 'Autre Boutique'], { env, cwd: '..' }).toString();
  const merchant = made.match(/mer_[A-Za-z0-9]+/)![0];
  const email = `gerant-${Date.now()}@autre.sn`;
  execFileSync(process.env.DALAL_BIN!, ['create-user', merchant, email, '--password-stdin'], { env, cwd: '..', input: 'un mot de passe long\n' });

  await page.goto('/dashboard/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill('un mot de passe long');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByText('Autre Boutique')).toBeVisible();

  for (const mode of ['test', 'live']) {
    const response = await page.goto(`/dashboard/paiements/${data.transactionId}?mode=${mode}`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Paiement introuvable' })).toBeVisible();
    await expect(page.getByText('Awa Ndiaye')).toHaveCount(0);
  }
  await page.goto(`/dashboard?recherche=${reference}`);
  await expect(page.getByText('Aucun paiement ne correspond.')).toBeVisible();
  await page.goto(`/dashboard?recherche=${data.transactionId}`);
  await expect(page.getByText('Aucun paiement ne correspond.')).toBeVisible();
  const csv = await page.request.get(`/dashboard/export.csv?mode=test&recherche=${reference}`);
  expect((await csv.text()).trim().split('\r\n')).toHaveLength(1);
});
