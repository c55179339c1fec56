import { test, expect } from '@playwright/test';
import {
  BASE_URL, SHORT_EXPIRY_PORT, CheckoutPage, answerOnSandboxPhone, checkScreen, createPayment, openHydrated, paymentStatus,
} from './support';

test('checkout → Wave → approved on the sandbox phone → back on returnUrl with the outcome', async ({ page, request }) => {
  const data = await createPayment(request, {
    type: 'checkout', amount: 25000, country: 'SN', description: 'Panier #67890 - 3 articles',
    returnUrl: `${BASE_URL}/?source=panier`, cancelUrl: `${BASE_URL}/?annule=1`,
  });
  const checkout = new CheckoutPage(page);
  await openHydrated(page, data.redirectUrl);
  await expect(checkout.amount()).toHaveText('25\u202f000\u00a0FCFA');
  await expect(page.getByText('Expire dans 30 min')).toBeVisible();
  await checkScreen(page, 'wave-1-methods');

  await checkout.chooseMethod('Wave');
  await checkScreen(page, 'wave-2-selected');
  await checkout.payWithApp('Wave');
  const link = checkout.openAppLink('Wave');
  await expect(link).toBeVisible();
  await expect(checkout.qrCode('Wave')).toBeVisible();

  // Deep link first on a phone, QR code first on a desktop.
  const linkBox = (await link.boundingBox())!;
  const qrBox = (await checkout.qrCode('Wave').boundingBox())!;
  if (test.info().project.name === 'phone') expect(linkBox.y).toBeLessThan(qrBox.y);
  else expect(qrBox.y).toBeLessThan(linkBox.y);
  await checkScreen(page, 'wave-3-scan');

  const phone = await page.context().newPage();
  await phone.goto((await link.getAttribute('href'))!);
  await checkScreen(phone, 'wave-sandbox-phone');
  await phone.getByRole('button', { name: 'Approuver le paiement' }).click();
  await expect(phone.getByRole('status')).toHaveText('Paiement approuvé.');
  await phone.close();
  await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible({ timeout: 5_000 });
  await expect(page.getByText(data.transactionId)).toBeVisible();
  await checkScreen(page, 'wave-4-receipt');

  await page.waitForURL((url) => url.searchParams.get('status') === 'succeeded', { timeout: 10_000 });
  const back = new URL(page.url());
  expect(back.origin + back.pathname).toBe(`${BASE_URL}/`);
  expect(back.searchParams.get('source')).toBe('panier');
  expect(back.searchParams.get('transactionId')).toBe(data.transactionId);
  expect(back.searchParams.get('externalReference')).toBe(data.externalReference);
  expect(await paymentStatus(request, data.transactionId)).toBe('succeeded');
});

test('direct Orange Money paid with a one-time code', async ({ page, request }) => {
  // Each run pays a different amount, so that one run's payments are told from another's.
  const amount = 7500 + Math.floor(Math.random() * 400);
  const data = await createPayment(request, {
    type: 'direct', provider: 'orange_money', country: 'SN', amount, customerPhone: '+221771234567',
    returnUrl: `${BASE_URL}/`,
  });
  expect(data.deepLinks.orange_money).toContain('/sandbox/phone/om-');
  const checkout = new CheckoutPage(page);
  await openHydrated(page, data.redirectUrl);
  // The page opens on Orange Money: its QR code, and the one-time-code path for Senegal.
  await expect(checkout.qrCode('Orange Money')).toBeVisible();
  await expect(page.getByText('#144#391#')).toBeVisible();
  await expect(page.getByLabel('Votre numéro')).toHaveValue('+221771234567');
  await checkScreen(page, 'orange-1-qr-and-code');

  await page.getByLabel('Code de paiement (6 chiffres)').fill('482913');
  await page.getByRole('button', { name: /^Payer 7/ }).click();
  await expect(page.getByRole('heading', { name: 'Confirmez le paiement sur votre téléphone' })).toBeVisible();
  await checkScreen(page, 'orange-2-waiting');
  await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible({ timeout: 12_000 });
  await page.waitForURL((url) => url.searchParams.get('status') === 'succeeded', { timeout: 10_000 });
  expect(await paymentStatus(request, data.transactionId)).toBe('succeeded');
});

test('MTN push declined, then paid with Moov Money', async ({ page, request }) => {
  const data = await createPayment(request, {
    type: 'checkout', amount: 5000, country: 'CI', returnUrl: `${BASE_URL}/`,
  });
  const checkout = new CheckoutPage(page);
  await openHydrated(page, data.redirectUrl);
  await checkout.chooseMethod('MTN MoMo');
  await expect(page.getByText('Exemple : +2250701234567')).toBeVisible();
  await checkout.payWithNumber('+2250501234502'); // sandbox: the customer declines
  await expect(page.getByRole('heading', { name: 'Confirmez le paiement sur votre téléphone' })).toBeVisible();
  await expect(page.getByText('+22505••••4502')).toBeVisible();
  await checkScreen(page, 'mtn-1-waiting');

  await expect(page.getByRole('alert')).toContainText('refusé', { timeout: 8_000 });
  await checkScreen(page, 'mtn-2-declined');
  await checkout.chooseMethod('Moov Money');
  await checkout.payWithNumber('+2250101234567');
  await expect(page.getByText('*155*15#')).toBeVisible(); // Moov's fallback when no push arrives
  await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible({ timeout: 12_000 });
  expect(await paymentStatus(request, data.transactionId)).toBe('succeeded');
});

test('direct MTN MoMo: the push goes out when the payment is created, the page waits for it', async ({ page, request }) => {
  const direct = (customerPhone: string) => createPayment(request, {
    type: 'direct', provider: 'mtn_momo', country: 'CI', amount: 4200, customerPhone, returnUrl: `${BASE_URL}/`,
  });
  // A payer who has not answered yet (sandbox: a number ending in 03 never answers): the page
  // opens on the waiting screen, which reads top to bottom within the screen's width.
  const unanswered = await direct('+2250501234503');
  expect(unanswered.deepLinks).toBeNull();
  await openHydrated(page, unanswered.redirectUrl);
  const title = page.getByRole('heading', { name: 'Confirmez le paiement sur votre téléphone' });
  await expect(title).toBeVisible();
  await expect(page.getByText('+22505••••4503')).toBeVisible();
  const width = page.viewportSize()!.width;
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  const titleBox = (await title.boundingBox())!;
  const bodyBox = (await page.getByText('Une demande de paiement a été envoyée au').boundingBox())!;
  expect(bodyBox.y).toBeGreaterThan(titleBox.y + titleBox.height - 1);
  await checkScreen(page, 'mtn-direct-waiting');

  // A payer who approves: the page moves on by itself.
  const approved = await direct('+2250501234567');
  await openHydrated(page, approved.redirectUrl);
  await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible({ timeout: 12_000 });
  expect(await paymentStatus(request, approved.transactionId)).toBe('succeeded');
});

test('usable on a 320 px screen: nothing wider than the screen', async ({ browser, request }) => {
  const data = await createPayment(request, { type: 'checkout', amount: 2_500_000, country: 'CI', description: 'Réfrigérateur 300 litres, livraison à Abidjan incluse' });
  const context = await browser.newContext({ viewport: { width: 320, height: 568 }, locale: 'fr-CI' });
  const page = await context.newPage();
  await openHydrated(page, data.redirectUrl);
  await new CheckoutPage(page).chooseMethod('Orange Money');
  await expect(page.getByText('#144*82#')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  await checkScreen(page, '320px-orange');
  await context.close();
});

test('a wrong number is flagged as it is typed', async ({ page, request }) => {
  const data = await createPayment(request, { type: 'checkout', amount: 1000, country: 'SN' });
  await openHydrated(page, data.redirectUrl);
  await new CheckoutPage(page).chooseMethod('Free Money');
  await page.getByLabel('Votre numéro').pressSequentially('+225070123', { delay: 20 });
  await expect(page.getByText(/n'est pas un numéro mobile valide au Sénégal/)).toBeVisible();
  await expect(page.getByLabel('Votre numéro')).toHaveAttribute('aria-invalid', 'true');
});

test('on a slow link, a late answer about a number already corrected does not flag it', async ({ page, request }) => {
  const data = await createPayment(request, { type: 'checkout', amount: 1000, country: 'SN' });
  // The checks of the wrong number (an Ivorian one) answer 1.5 s late, after those of the right one.
  await page.route('**/rpc/check_phone', async (route) => {
    if ((route.request().postData() ?? '').includes('225070')) await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await openHydrated(page, data.redirectUrl);
  await new CheckoutPage(page).chooseMethod('Free Money');
  const field = page.getByLabel('Votre numéro');
  await field.pressSequentially('+225070123', { delay: 20 });
  await field.fill('');
  await field.pressSequentially('+221761234567', { delay: 20 });
  await page.waitForTimeout(2_000);
  await expect(page.getByText(/n'est pas un numéro mobile valide au Sénégal/)).toHaveCount(0);
  await expect(field).not.toHaveAttribute('aria-invalid', 'true');
});

test('cancel sends the customer to cancelUrl and the API says cancelled', async ({ page, request }) => {
  const data = await createPayment(request, {
    type: 'checkout', amount: 1500, returnUrl: `${BASE_URL}/`, cancelUrl: `${BASE_URL}/?annule=1`,
  });
  await page.goto(data.redirectUrl);
  await new CheckoutPage(page).cancel();
  await page.waitForURL((url) => url.searchParams.get('status') === 'cancelled');
  expect(new URL(page.url()).searchParams.get('annule')).toBe('1');
  await expect(page.getByText('Paiement annulé')).toBeVisible();
  expect(await paymentStatus(request, data.transactionId)).toBe('cancelled');
});

test('an expired payment says so and leads back to the merchant', async ({ page, request }) => {
  const base = `http://127.0.0.1:${SHORT_EXPIRY_PORT}`;
  const data = await createPayment(request, { type: 'checkout', amount: 1500, cancelUrl: `${base}/` }, base);
  await page.waitForTimeout(5_000);
  await page.goto(data.redirectUrl);
  await expect(page.getByRole('heading', { name: 'Ce lien de paiement a expiré' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Retourner sur le site du marchand' })).toHaveAttribute('href', /status=expired/);
  await checkScreen(page, 'expired');
  expect(await paymentStatus(request, data.transactionId, base)).toBe('expired');
});

test('English on request: Accept-Language and the switch', async ({ browser, request }) => {
  const data = await createPayment(request, { type: 'checkout', amount: 10000, country: 'SN' });
  const context = await browser.newContext({ locale: 'en-GB', extraHTTPHeaders: { 'Accept-Language': 'en-GB,en;q=0.9' } });
  const page = await context.newPage();
  await page.goto(data.redirectUrl);
  await expect(page.getByRole('heading', { name: 'Choose how to pay' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('10,000\u00a0FCFA');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('link', { name: 'Français' }).click();
  await expect(page.getByRole('heading', { name: 'Choisissez votre moyen de paiement' })).toBeVisible();
  await page.reload(); // the choice is kept in the session
  await expect(page.getByRole('heading', { name: 'Choisissez votre moyen de paiement' })).toBeVisible();
  await context.close();
});

test('a GET never changes a payment: opening the links leaves it pending', async ({ page, request }) => {
  const data = await createPayment(request, { type: 'direct', provider: 'wave', country: 'SN', amount: 2000, customerPhone: '+221771234567' });
  await page.goto(data.redirectUrl);
  await page.goto(data.deepLinks.wave);
  await page.goto(`${data.redirectUrl}?methode=orange_money&lang=en&pays=CI`);
  expect(await paymentStatus(request, data.transactionId)).toBe('pending');
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the whole Wave journey works', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('listitem').filter({ hasText: 'Bissap' }).getByRole('button').click();
    await expect(page).toHaveURL(/\/pay\//);
    const checkout = new CheckoutPage(page);
    await expect(checkout.amount()).toHaveText('1\u202f500\u00a0FCFA');
    await checkout.chooseMethod('Wave');
    await checkout.payWithApp('Wave');
    const link = (await checkout.openAppLink('Wave').getAttribute('href'))!;
    // No axe scan here: the page refreshes itself every few seconds without JavaScript.
    await page.screenshot({ path: `screenshots/${test.info().project.name}-nojs-scan.png`, fullPage: true });
    await answerOnSandboxPhone(page, link, 'Approuver le paiement');
    // The page refreshes itself, shows the receipt, then goes back to the shop.
    await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible({ timeout: 12_000 });
    await page.waitForURL((url) => url.searchParams.get('status') === 'succeeded', { timeout: 10_000 });
    await expect(page.getByText(/Merci ! Paiement TX\d{9} reçu/)).toBeVisible();
  });
});

test('the cross-site page calls are refused', async ({ request }) => {
  const response = await request.post('/rpc/cancel_payment', {
    headers: { Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded' },
    data: 'token=whatever',
  });
  expect(response.status()).toBe(403);
});

test('a SahelPay-created Orange Money payment is paid through the checkout page', async ({ page, request }) => {
  const amount = 5000 + Math.floor(Math.random() * 400); // one run's payment told from another's
  const response = await request.post('/v1/payments', {
    headers: { Authorization: 'Bearer sk_test_dalal_demo_5f3a9c2e7b1d4068', 'X-Idempotency-Key': `sp-${Date.now()}-${amount}` },
    data: {
      amount, currency: 'XOF', payment_method: 'ORANGE_MONEY', country: 'ML', customer_phone: '+22370123456',
      customer_name: 'Amadou Diallo', return_url: `${BASE_URL}/?source=sahelpay`, client_reference: 'order_123',
    },
  });
  expect(response.status()).toBe(201);
  const { data } = await response.json();
  expect(data.gateway_used).toBe('orange_direct');
  const checkout = new CheckoutPage(page);
  await openHydrated(page, data.redirect_url);
  await expect(checkout.qrCode('Orange Money')).toBeVisible();
  await expect(page.getByText('#144#77#')).toBeVisible(); // Mali's code
  await checkScreen(page, 'sahelpay-orange');
  await answerOnSandboxPhone(page, (await checkout.openAppLink('Orange Money').first().getAttribute('href'))!, 'Approuver le paiement');
  await page.waitForURL((url) => url.searchParams.get('status') === 'succeeded', { timeout: 12_000 });
  expect(new URL(page.url()).searchParams.get('externalReference')).toBe('order_123');
  const after = await request.get(`/v1/payments/${data.id}`, { headers: { Authorization: 'Bearer sk_test_dalal_demo_5f3a9c2e7b1d4068' } });
  expect((await after.json()).data.status).toBe('SUCCEEDED');
});

test('Free Money in Senegal through pawaPay: the page says which code to dial, then the payment goes through', async ({ page, request }) => {
  const data = await createPayment(request, {
    type: 'checkout', amount: 3000, country: 'SN', returnUrl: `${BASE_URL}/`,
  });
  const checkout = new CheckoutPage(page);
  await openHydrated(page, data.redirectUrl);
  await checkout.chooseMethod('Free Money');
  await checkout.payWithNumber('+221761234567');
  // pawaPay's prompt for Free Money is MANUAL: nothing comes until the customer dials #150#.
  await expect(page.getByRole('heading', { name: 'Composez #150# pour confirmer' })).toBeVisible();
  await expect(page.getByText('Entrez votre code PIN pour autoriser le paiement.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Composez #150#' })).toHaveAttribute('href', 'tel:%23150%23');
  const width = page.viewportSize()!.width;
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  await checkScreen(page, 'free-1-dial');
  await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible({ timeout: 12_000 });
  expect(await paymentStatus(request, data.transactionId)).toBe('succeeded');
});

test('Moov Money in Benin through pawaPay: the prompt comes by itself', async ({ page, request }) => {
  const data = await createPayment(request, {
    type: 'checkout', amount: 3000, country: 'BJ', returnUrl: `${BASE_URL}/`,
  });
  const checkout = new CheckoutPage(page);
  await openHydrated(page, data.redirectUrl);
  await checkout.chooseMethod('Moov Money');
  await checkout.payWithNumber('+2290196123456');
  await expect(page.getByRole('heading', { name: 'Confirmez le paiement sur votre téléphone' })).toBeVisible();
  await expect(page.getByText('+22901••••3456')).toBeVisible();
  await checkScreen(page, 'moov-bj-waiting');
  await expect(page.getByRole('heading', { name: 'Paiement réussi' })).toBeVisible({ timeout: 12_000 });
  expect(await paymentStatus(request, data.transactionId)).toBe('succeeded');
});
