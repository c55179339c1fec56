import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { PORT, checkScreen } from './support';

const DEMO_USER = { email: 'demo@dalal.test', password: 'demo-dalal-2026' };
const PASSWORD = 'un mot de passe long';

async function signInAs(page: Page, email: string, password: string) {
  await page.goto('/dashboard/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('heading', { name: 'Paiements', level: 1 })).toBeVisible();
}

/** A second user of the demo merchant, made with the dalal command line on the server's database. */
function secondUser(): string {
  const env = { ...process.env, DATABASE_URL: `sqlite://${process.env[`DALAL_E2E_DATA_${PORT}`]}/dalal.db`, RUST_LOG: 'warn' };
  const email = `tresorier-${Date.now()}@boutique.sn`;
  execFileSync(process.env.DALAL_BIN!, ['create-user', 'mer_demo', email, '--password-stdin'], { env, cwd: '..', input: `${PASSWORD}\n` });
  return email;
}

const CSV = [
  'amount,country,provider,recipientPhone,recipientName,reason',
  '6000,SN,wave,+221771234567,Awa Ndiaye,Ventes de novembre',
  '7000,SN,wave,+221771234568,Moussa Diop,Ventes de novembre',
  '5000,SN,wave,+2217712,Fatou Sow,Ventes de novembre',
].join('\n');

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'payouts' : 'payouts without JavaScript', () => {
    test.use({ javaScriptEnabled });

    test('a batch uploaded waits for a second user, who approves it, and each line is read', async ({ page }) => {
      const treasurer = secondUser();
      await signInAs(page, DEMO_USER.email, DEMO_USER.password);
      await page.getByRole('link', { name: 'Paiements sortants' }).click();
      await expect(page.getByRole('heading', { name: 'Paiements sortants', level: 1 })).toBeVisible();
      await expect(page.getByText(/Wave — Sénégal/)).toBeVisible();

      // Above 10 000 FCFA, a second user approves.
      await page.getByLabel('Au-delà de ce montant, un second utilisateur approuve (vide : jamais)').fill('10000');
      await page.getByRole('button', { name: 'Enregistrer le seuil' }).click();
      await expect(page.getByRole('status')).toContainText('attendent désormais');

      await page.getByLabel('Contenu du fichier CSV').fill(CSV);
      await page.getByLabel("Je confirme l'envoi du lot").check();
      await page.getByRole('button', { name: 'Envoyer le lot' }).click();
      await expect(page.getByRole('status')).toContainText('Lot reçu : 2 acceptées, 1 refusées.');
      await expect(page.getByRole('status')).toContainText("Il attend l'approbation d'un autre utilisateur.");
      const rows = page.locator('table.batch tbody tr');
      await expect(rows).toHaveCount(3);
      await expect(rows.nth(0)).toContainText("En attente d'approbation");
      await expect(rows.nth(2)).toContainText('Refusée');
      await expect(rows.nth(2)).toContainText("n'est pas un numéro mobile valide");
      const batch = (await page.locator('#batch-title code').textContent())!.trim();
      expect(batch).toMatch(/^pb_/);
      // Its creator cannot approve it.
      const waiting = page.locator('li.waiting', { hasText: batch });
      await expect(waiting).toContainText("Vous l'avez créé : un autre utilisateur doit l'approuver.");
      await expect(waiting.getByRole('button', { name: 'Approuver' })).toHaveCount(0);
      if (javaScriptEnabled) await checkScreen(page, 'payouts-1-batch-waiting');

      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await signInAs(page, treasurer, PASSWORD);
      await page.getByRole('link', { name: 'Paiements sortants' }).click();
      await page.locator('li.waiting', { hasText: batch }).getByRole('button', { name: 'Approuver' }).click();
      await expect(page.getByRole('status')).toContainText('Approuvé : 2 paiement(s) sortant(s) vont être envoyés.');
      // The worker sends them: Wave answers at once.
      await expect(async () => {
        await page.reload();
        const lines = page.locator('table.batch tbody tr');
        await expect(lines.nth(0)).toContainText('Réussi', { timeout: 1_000 });
        await expect(lines.nth(1)).toContainText('Réussi', { timeout: 1_000 });
      }).toPass({ timeout: 15_000 });
      await expect(page.locator('table.batch tbody tr').nth(2)).toContainText('Refusée');
      await expect(page.locator('li.waiting', { hasText: batch })).toHaveCount(0);
      if (javaScriptEnabled) await checkScreen(page, 'payouts-2-approved');

      // A payout's page: its facts and its history, who approved it included.
      await page.locator('table.payouts').getByRole('link', { name: '+221771234568' }).first().click();
      await expect(page.getByRole('heading', { name: /Paiement sortant po_/ })).toBeVisible();
      await expect(page.locator('ol.timeline')).toContainText(`approuvé par ${treasurer}`);
      await expect(page.locator('ol.timeline')).toContainText('Réussi — Wave a versé');
      await expect(page.getByRole('button', { name: 'Annuler ce paiement sortant' })).toHaveCount(0);
      if (javaScriptEnabled) await checkScreen(page, 'payouts-3-detail');
    });
  });
}
