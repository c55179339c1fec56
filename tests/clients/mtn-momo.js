// Runs the public `mtn-momo` npm client (sparkplug/momoapi-node), unchanged, against Dalal's
// emulator of MTN MoMo's Collection API (tests/api/clients.rs starts Dalal and runs this).
// MTN_MOMO_BASE_URL: e.g. http://127.0.0.1:3000/sandbox/providers/mtn-momo
'use strict';
const momo = require('mtn-momo');

const BASE = process.env.MTN_MOMO_BASE_URL;
if (!BASE) throw new Error('set MTN_MOMO_BASE_URL');

async function main() {
  // MTN's own sandbox environment, which takes euros only.
  const { Collections } = momo.create({ baseUrl: BASE, environment: 'sandbox', callbackHost: '127.0.0.1' });
  const collections = Collections({
    primaryKey: process.env.MTN_MOMO_SUBSCRIPTION_KEY,
    userId: process.env.MTN_MOMO_API_USER,
    userSecret: process.env.MTN_MOMO_API_KEY,
  });
  const referenceId = await collections.requestToPay({
    amount: '100', currency: 'EUR', externalId: 'npm-' + Date.now(),
    payer: { partyIdType: 'MSISDN', partyId: '46733123450' },
    payerMessage: 'Dalal test', payeeNote: 'Dalal test',
  });
  let transaction;
  for (let i = 0; i < 40; i++) {
    transaction = await collections.getTransaction(referenceId);
    if (transaction.status !== 'PENDING') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (transaction.status !== 'SUCCESSFUL') throw new Error('not successful: ' + transaction.status);
  const balance = await collections.getBalance();
  if (balance.currency !== 'EUR' || Number(balance.availableBalance) < 100) {
    throw new Error('balance: ' + JSON.stringify(balance));
  }
  const active = await collections.isPayerActive('46733123450');
  if (!(active === true || (active && active.result === true))) throw new Error('not active: ' + JSON.stringify(active));
  // A refusal comes back as the client's typed error.
  try {
    await collections.requestToPay({
      amount: '100', currency: 'XOF', externalId: 'npm-xof',
      payer: { partyIdType: 'MSISDN', partyId: '46733123450' },
      payerMessage: 'Dalal test', payeeNote: 'Dalal test',
    });
    throw new Error('XOF in the sandbox environment was accepted');
  } catch (e) {
    if (!/currency/i.test(e.name + ' ' + e.message)) throw e;
  }
  console.log('mtn-momo: request to pay ' + referenceId + ' SUCCESSFUL, balance ' + balance.availableBalance + ' ' + balance.currency);
}

main().then(
  () => console.log('client: every call passed'),
  (e) => { console.error(e.name, e.message); process.exit(1); },
);
