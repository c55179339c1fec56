// Page weight of the checkout page: bytes over the wire (brotli and gzip) of the HTML, CSS, JS
// and WASM of /pay/{token}, and which of them the first render needs.
// Run through `./.ci/page-weight`, which builds the release bundle and starts a server.
import http from 'node:http';

const base = process.argv[2] ?? 'http://127.0.0.1:3777';
const BUDGET = 30 * 1024; // HTML + CSS needed for the first render, compressed
const WASM_BUDGET = 150 * 1024; // the islands' WebAssembly, brotli

function get(path, encoding, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method: 'GET', headers: { 'Accept-Encoding': encoding, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function post(path, body, headers) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return res.json();
}

const { data } = await post('/api/v1/payments/initiate', {
  type: 'checkout', amount: 25000, country: 'SN', externalReference: 'POIDS-1', description: 'Panier #67890 - 3 articles',
}, { 'X-API-Key': 'pk_test_dalal_demo:sk_test_dalal_demo_5f3a9c2e7b1d4068' });
const pagePath = new URL(data.redirectUrl).pathname;

const identity = await get(pagePath, 'identity', { 'Accept-Language': 'fr' });
const html = identity.body.toString('utf8');
const head = html.slice(0, html.indexOf('</head>'));
const blockingCss = [...head.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
const blockingJs = [...head.matchAll(/<script(?![^>]*type="module")(?![^>]*\b(?:async|defer)\b)[^>]*src="([^"]+)"/g)].map((m) => m[1]);
const checks = {
  'amount in the HTML': html.includes('25\u202f000\u00a0FCFA'),
  'method list in the HTML': ['Wave', 'Orange Money', 'Free Money'].every((m) => html.includes(`<span>${m}`)),
};

const assets = [
  { kind: 'HTML', path: pagePath, firstRender: true },
  ...blockingCss.map((p) => ({ kind: 'CSS', path: p, firstRender: true })),
  { kind: 'JS', path: '/pkg/dalal.js', firstRender: blockingJs.includes('/pkg/dalal.js') },
  { kind: 'WASM', path: '/pkg/dalal.wasm', firstRender: false },
];
console.log(`Checkout page weight (${pagePath.slice(0, 12)}…), bytes`);
console.log('asset                raw        gzip      brotli   cache-control           first render');
let firstRenderBr = 0;
let wasmBr = 0;
for (const a of assets) {
  const raw = await get(a.path, 'identity', { 'Accept-Language': 'fr' });
  const gz = await get(a.path, 'gzip', { 'Accept-Language': 'fr' });
  const br = await get(a.path, 'br', { 'Accept-Language': 'fr' });
  if (br.headers['content-encoding'] !== 'br') throw new Error(`${a.path} is not served with brotli`);
  if (a.firstRender) firstRenderBr += br.body.length;
  if (a.kind === 'WASM') wasmBr = br.body.length;
  console.log(
    `${(a.kind + ' ' + a.path.replace(/^\/pay\/.*/, '/pay/{token}')).padEnd(20)} ${String(raw.body.length).padStart(8)} ${String(gz.body.length).padStart(9)} ${String(br.body.length).padStart(11)}   ${String(br.headers['cache-control'] ?? '-').padEnd(22)}  ${a.firstRender ? 'needed' : 'not needed (loaded as a module, after the page shows)'}`,
  );
}
for (const [what, ok] of Object.entries(checks)) console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
const within = firstRenderBr <= BUDGET;
console.log(`${within ? 'ok  ' : 'FAIL'} HTML + CSS for the first render: ${firstRenderBr} bytes brotli (budget ${BUDGET})`);
const wasmWithin = wasmBr <= WASM_BUDGET;
console.log(`${wasmWithin ? 'ok  ' : 'FAIL'} WebAssembly: ${wasmBr} bytes brotli (budget ${WASM_BUDGET})`);
process.exit(within && wasmWithin && Object.values(checks).every(Boolean) ? 0 : 1);
