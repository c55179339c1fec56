import { test, expect, type Page } from '@playwright/test';
import { checkScreen, createPayment } from './support';

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
