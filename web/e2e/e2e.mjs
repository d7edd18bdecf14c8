// End-to-end test of the pcn web app in a real (headless) Chromium, as a person would use it.
//
//   node web/e2e/e2e.mjs --base http://127.0.0.1:8091 --shots DIR \
//     --commissioner-user alice --commissioner-password ... \
//     --network-user bob --network-password ... [--practice CODE --to NETWORK]
//
// Prints `ok <flow> <ms>` per flow and exits 1 at the first failure, saying why (a screenshot of the
// failure is saved as DIR/NN-FAILED-<flow>.png). Screenshots of each step are saved as DIR/NN-<step>.png.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

// ---------- arguments ----------
function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const k = a.slice(2);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${k} needs a value`);
    out[k] = v;
    i++;
  }
  return out;
}
let args;
try {
  args = parseArgs(process.argv.slice(2));
  for (const k of ['base', 'shots', 'commissioner-user', 'commissioner-password', 'network-user', 'network-password']) {
    if (!args[k]) throw new Error(`--${k} is required`);
  }
  if (!!args.practice !== !!args.to) throw new Error('--practice and --to go together');
} catch (e) {
  console.error(`usage: node web/e2e/e2e.mjs --base URL --shots DIR --commissioner-user U --commissioner-password P --network-user U2 --network-password P2 [--practice CODE --to NETWORK]\n${e.message}`);
  process.exit(2);
}
const base = args.base.replace(/\/$/, '');
const shots = path.resolve(args.shots);
fs.mkdirSync(shots, { recursive: true });

// ---------- harness ----------
let browser, page;
let shotNo = 0;
let passed = 0;
let current = 'setup';
const problems = { console: [], page: [], failed: [], http: [] };
const resetProblems = () => {
  for (const k of Object.keys(problems)) problems[k].length = 0;
};

class Fail extends Error {}
function expect(cond, message) {
  if (!cond) throw new Fail(message);
}
async function shot(name) {
  shotNo++;
  const file = path.join(shots, `${String(shotNo).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
async function flow(name, fn) {
  current = name;
  const t0 = Date.now();
  try {
    const note = await fn();
    console.log(`ok ${name} ${Date.now() - t0}${note ? ` (${note})` : ''}`);
    passed++;
  } catch (e) {
    let where = '';
    try {
      where = ` (screenshot ${await shot(`FAILED-${name}`)})`;
    } catch {
      /* the page may be gone */
    }
    const extra = [
      problems.console.length ? `console errors: ${problems.console.join(' | ')}` : '',
      problems.page.length ? `page errors: ${problems.page.join(' | ')}` : '',
      problems.http.length ? `HTTP errors: ${problems.http.join(' | ')}` : '',
    ].filter(Boolean);
    console.error(`FAIL ${name}: ${e instanceof Fail ? e.message : e.stack || e.message}${where}`);
    for (const x of extra) console.error(`  ${x}`);
    console.log(`${passed} passed, 1 failed`);
    if (browser) await browser.close().catch(() => {});
    process.exit(1);
  }
}

/** fetch from inside the page (same origin, the page's cookies), returning {status, body}. */
async function rawFetch(method, url, body, { csrf = false } = {}) {
  return page.evaluate(
    async ({ method, url, body, csrf }) => {
      const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
      if (csrf && window.pcn.state.session.csrf_token) headers['X-CSRF-Token'] = window.pcn.state.session.csrf_token;
      const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: r.status, body: json, text };
    },
    { method, url, body, csrf },
  );
}
async function apiGet(url) {
  const r = await rawFetch('GET', url);
  expect(r.status === 200, `GET ${url} answered ${r.status}: ${r.text.slice(0, 300)}`);
  return r.body;
}

/** Integer pence as the page shows them: £1,234.56 (−£… when negative). */
function gbp(pence) {
  const p = BigInt(pence);
  const a = p < 0n ? -p : p;
  return `${p < 0n ? '−' : ''}£${(a / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${(a % 100n).toString().padStart(2, '0')}`;
}

const tid = (id) => `[data-testid="${id}"]`;
async function visible(sel, timeout = 10000) {
  await page.locator(sel).first().waitFor({ state: 'visible', timeout });
}
/** The text of the first element matching, or '' when there is none (so failure messages never wait). */
async function text(sel) {
  const l = page.locator(sel).first();
  if (!(await l.count())) return '';
  return (await l.textContent({ timeout: 5000 })) || '';
}
async function settleMap() {
  // Leaflet's flyTo runs for ~0.6 s; wait until the map stops moving.
  await page.waitForTimeout(200);
  await page.waitForSelector('[data-testid="map"]:not([data-moving="true"])', { timeout: 5000 }).catch(() => {});
  await page.waitForTimeout(200);
}
async function errorBanner() {
  if (await page.locator(tid('error-banner')).isVisible()) return (await text(tid('error-text'))).trim();
  return null;
}

async function login(user, password) {
  if (await page.locator(tid('logout')).isVisible()) await logout();
  await page.fill(tid('login-username'), user);
  await page.fill(tid('login-password'), password);
  await page.click(tid('login-submit'));
  try {
    await visible(tid('user-box'), 10000);
  } catch {
    throw new Fail(`signing in as ${user} did not show the user: ${(await errorBanner()) || 'no message shown'}`);
  }
  expect((await text(tid('user-name'))).trim() === user, `signed in, the page names ${await text(tid('user-name'))}, not ${user}`);
  return page.evaluate(() => window.pcn.state.session.user);
}
async function logout() {
  await page.click(tid('logout'));
  await visible(tid('login-form'));
}

async function openTab(name) {
  await page.click(tid(`tab-${name}`));
  await visible(tid(`panel-${name}`));
}

/** Scroll the side panel (only it, not the page) so that the element is `above` px below its top. */
async function scrollPanel(sel, above = 0) {
  await page.locator(sel).first().evaluate((el, above) => {
    const panel = el.closest('.panel');
    panel.scrollTop += el.getBoundingClientRect().top - panel.getBoundingClientRect().top - above;
  }, above);
}

/** Open a network in the panel with the search box, as a person would. */
async function openNetworkBySearch(code) {
  await openTab('network');
  await page.fill(tid('search-input'), '');
  await page.type(tid('search-input'), code, { delay: 10 });
  const hit = page.locator(`${tid('search-result')}[data-code="${code}"][data-kind="network"]`);
  await hit.waitFor({ state: 'visible', timeout: 10000 });
  await hit.click();
  await page.waitForSelector(`${tid('panel-network')}[data-network="${code}"][data-loaded="true"]`, { timeout: 15000 });
}

async function openProposals(status) {
  await openTab('proposals');
  await page.selectOption(tid('proposals-status'), status);
  await page.waitForSelector(`${tid('proposals-list')}[data-loaded="true"]`, { timeout: 10000 });
  // A change of status reloads: wait for the list matching it.
  await page.waitForTimeout(150);
  await page.waitForSelector(`${tid('proposals-list')}[data-loaded="true"]`, { timeout: 10000 });
}

async function openCount() {
  const r = await apiGet('/api/proposals?status=open');
  return r.items.length;
}

/** Pick a practice and a network to move it to, from the API: in `commissioner`, nearest other network. */
async function pickMove(commissioner, { into = null, exclude = [] } = {}) {
  const pr = await apiGet(`/api/practices?commissioner=${encodeURIComponent(commissioner)}&per_page=500`);
  const at = new Map();
  for (const p of pr.items) if (p.lon != null && p.lat != null) at.set(`${p.lon.toFixed(4)},${p.lat.toFixed(4)}`, (at.get(`${p.lon.toFixed(4)},${p.lat.toFixed(4)}`) || 0) + 1);
  // A practice with a point of its own (not sharing an address), so that it can be clicked on the map.
  const located = pr.items.filter((p) => p.network && p.lon != null && p.lat != null && !exclude.includes(p.code) && at.get(`${p.lon.toFixed(4)},${p.lat.toFixed(4)}`) === 1);
  expect(located.length > 1, `commissioner ${commissioner} has fewer than two practices with a network and a position`);
  const centres = new Map();
  for (const p of located) {
    const c = centres.get(p.network) || { lon: 0, lat: 0, n: 0 };
    c.lon += p.lon;
    c.lat += p.lat;
    c.n++;
    centres.set(p.network, c);
  }
  const d2 = (p, c) => (p.lon - c.lon / c.n) ** 2 * Math.cos((p.lat * Math.PI) / 180) ** 2 + (p.lat - c.lat / c.n) ** 2;
  let best = null;
  for (const p of located) {
    const size = centres.get(p.network).n;
    if (size < 2) continue; // do not empty a network
    for (const [code, c] of centres) {
      if (code === p.network || (into && code !== into)) continue;
      const d = d2(p, c);
      if (!best || d < best.d) best = { practice: p.code, from: p.network, to: code, d };
    }
  }
  expect(best, `no practice in ${commissioner} could be moved${into ? ` into ${into}` : ''}`);
  return best;
}

// ---------- the flows ----------
const launchArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main() {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: launchArgs });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push(m.text());
  });
  page.on('pageerror', (e) => problems.page.push(e.message));
  page.on('requestfailed', (r) => problems.failed.push(`${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.http.push(`${r.request().method()} ${r.url()} → ${r.status()}`);
  });

  let move = args.practice ? { practice: args.practice, to: args.to } : null;
  const excluded = [];
  let commissionerUser = null;
  let firstZoom = 0;

  await flow('load', async () => {
    resetProblems();
    await page.goto(`${base}/`, { waitUntil: 'load', timeout: 30000 });
    await page.waitForSelector(`${tid('map')}[data-ready="true"]`, { timeout: 90000 });
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    const counts = await page.evaluate(() => ({ ...document.querySelector('[data-testid="map"]').dataset }));
    expect(Number(counts.networks) > 0, `the map drew no network areas (${JSON.stringify(counts)})`);
    expect(Number(counts.practices) > 0, `the map drew no practices (${JSON.stringify(counts)})`);
    expect((await page.locator('#map canvas').count()) > 0, 'the map has no canvas');
    const status = await text(tid('map-status'));
    expect(/networks/.test(status) && /practices/.test(status), `the map status says "${status}"`);
    // Something is actually painted: the canvas is not blank.
    const painted = await page.evaluate(() => {
      const c = document.querySelector('#map canvas');
      const ctx = c.getContext('2d');
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 16) if (d[i] > 0) n++;
      return n;
    });
    expect(painted > 100, `the map canvas is blank (${painted} painted samples)`);
    firstZoom = await page.evaluate(() => window.pcn.map.map.getZoom());
    await page.waitForTimeout(300);
    await shot('load');
    expect(!problems.page.length, `page errors: ${problems.page.join(' | ')}`);
    expect(!problems.console.length, `console errors: ${problems.console.join(' | ')}`);
    expect(!problems.failed.length, `failed requests: ${problems.failed.join(' | ')}`);
    expect(!problems.http.length, `requests that answered an error: ${problems.http.join(' | ')}`);
    expect(!(await errorBanner()), `an error is shown: ${await errorBanner()}`);
    return `${counts.networks} networks, ${counts.practices} practices`;
  });

  await flow('choose', async () => {
    // Which commissioner does the commissioner user work for? Ask the API with a throwaway request context.
    const req = await page.context().request;
    const s = await req.post(`${base}/api/session`, { data: { username: args['commissioner-user'], password: args['commissioner-password'] }, headers: { 'Content-Type': 'application/json' } });
    expect(s.status() === 200, `POST /api/session as ${args['commissioner-user']} answered ${s.status()}: ${await s.text()}`);
    const sj = await s.json();
    commissionerUser = sj.user;
    expect(commissionerUser && commissionerUser.role === 'commissioner' && commissionerUser.commissioner, `${args['commissioner-user']} is not a commissioner user: ${JSON.stringify(sj.user)}`);
    const d = await req.delete(`${base}/api/session`, { headers: { 'X-CSRF-Token': sj.csrf_token, 'Content-Type': 'application/json' } });
    expect(d.status() === 204, `DELETE /api/session answered ${d.status()}: ${await d.text()}`);
    await page.context().clearCookies();
    // Leave alone the practices that earlier runs already proposed to move (the register may have them moved).
    const earlier = [];
    for (const st of ['open', 'approved', 'rejected']) {
      for (const p of (await apiGet(`/api/proposals?status=${st}`)).items) if (p.proposal && p.proposal.practice) earlier.push(p.proposal.practice);
    }
    excluded.push(...earlier);
    if (!move) move = await pickMove(commissionerUser.commissioner, { exclude: excluded });
    else {
      const found = await apiGet(`/api/practices?q=${encodeURIComponent(move.practice)}&per_page=20`);
      const p = found.items.find((x) => x.code === move.practice);
      expect(p, `practice ${move.practice} was not found`);
      move.from = p.network;
    }
    return `${move.practice}: ${move.from} → ${move.to} in ${commissionerUser.commissioner}`;
  });

  await flow('search', async () => {
    await page.fill(tid('search-input'), '');
    await page.type(tid('search-input'), move.practice, { delay: 20 });
    const hit = page.locator(`${tid('search-result')}[data-code="${move.practice}"][data-kind="practice"]`);
    await hit.waitFor({ state: 'visible', timeout: 10000 });
    await shot('search-results');
    await hit.click();
    await page.waitForSelector(`${tid('panel-network')}[data-network="${move.from}"][data-loaded="true"]`, { timeout: 15000 });
    await settleMap();
    const zoom = await page.evaluate(() => window.pcn.map.map.getZoom());
    expect(zoom > firstZoom, `the map did not zoom in to the practice (zoom ${firstZoom} → ${zoom})`);
    const inView = await page.evaluate((code) => {
      const e = window.pcn.map.practices.get(code);
      return !!e && window.pcn.map.map.getBounds().contains(e.layer.getLatLng());
    }, move.practice);
    expect(inView, `${move.practice} is not in view after choosing it`);
    await shot('search');
  });

  await flow('inspect', async () => {
    const panel = tid('panel-network');
    expect((await text(`${panel} ${tid('network-code')}`)).trim() === move.from, `the panel shows ${await text(tid('network-code'))}, not ${move.from}`);
    const rows = await page.locator(`${tid('network-members')} tbody tr`).count();
    expect(rows > 0, 'the panel lists no members');
    expect((await page.locator(`${tid('network-members')} tr[data-practice="${move.practice}"]`).count()) === 1, `${move.practice} is not among the members shown`);
    const findings = (await page.locator(tid('network-findings')).count()) + (await page.locator(tid('network-findings-none')).count());
    expect(findings === 1, 'the panel shows no findings section');
    expect((await page.inputValue(tid('year-select'))) === '2020/21', 'the year is not 2020/21 by default');
    await page.waitForSelector(tid('pay-table'), { timeout: 15000 });
    const total = (await text(tid('pay-total'))).trim();
    expect(/^−?£[\d,]+\.\d\d$/.test(total), `the entitlement total is not in pounds and pence: "${total}"`);
    const pay = await apiGet(`/api/networks/${move.from}/pay?year=2020/21`);
    const want = gbp(pay.total_pence);
    expect(total === want, `the panel's total ${total} differs from the API's ${pay.total_pence} pence (${want})`);
    await visible(tid('arrs-headroom'));
    // Anonymous visitors see the maximum; claims and headroom only the network's manager and commissioner.
    const arrs = await apiGet(`/api/networks/${move.from}/arrs?year=2020/21`);
    if (arrs.maximum_pence != null) expect(/£/.test(await text(tid('arrs-maximum'))), 'the ARRS maximum is not in pounds');
    if (arrs.headroom_pence != null) expect(/£/.test(await text(tid('arrs-headroom'))), 'the ARRS headroom is not in pounds');
    else expect(await page.locator(tid('arrs-hidden')).count(), 'the panel does not say why the ARRS headroom is not shown');
    await page.locator(tid('pay-table')).scrollIntoViewIfNeeded();
    await shot('inspect');
    // Another year: the streams follow the year selector, to the penny.
    await page.selectOption(tid('year-select'), '2021/22');
    await page.waitForFunction(() => /2021\/22/.test(document.querySelector('[data-testid="pay-table"] caption')?.textContent || ''), null, { timeout: 15000 });
    const pay2 = await apiGet(`/api/networks/${move.from}/pay?year=2021/22`);
    const total2 = (await text(tid('pay-total'))).trim();
    expect(total2 === gbp(pay2.total_pence), `for 2021/22 the panel's total ${total2} differs from the API's ${pay2.total_pence} pence`);
    await page.selectOption(tid('year-select'), '2020/21');
    await page.waitForFunction(() => /2020\/21/.test(document.querySelector('[data-testid="pay-table"] caption')?.textContent || ''), null, { timeout: 15000 });
    return `${rows} members, total ${total} (2021/22: ${total2})`;
  });

  await flow('findings', async () => {
    await openTab('findings');
    await page.selectOption(tid('findings-commissioner'), commissionerUser.commissioner);
    await page.waitForSelector(`${tid('findings-list')}[data-loaded="true"]`, { timeout: 30000 });
    const check = await apiGet(`/api/check?commissioner=${encodeURIComponent(commissionerUser.commissioner)}&per_page=500`);
    const shown = await page.locator(tid('finding')).count();
    expect(shown === check.findings.length, `the list shows ${shown} findings, the API has ${check.findings.length}`);
    expect((await text(tid('findings-errors'))).includes(String(check.errors)), `the summary says "${await text(tid('findings-errors'))}", the API counts ${check.errors} errors`);
    // Worst first.
    const sev = await page.locator(tid('finding')).evaluateAll((els) => els.map((e) => e.dataset.severity));
    const rank = { error: 0, warning: 1, info: 2 };
    expect(sev.every((s, i) => i === 0 || rank[sev[i - 1]] <= rank[s]), `the findings are not worst first: ${sev.join(',')}`);
    if (!shown) {
      await shot('findings');
      return 'no findings in this area';
    }
    const before = await page.evaluate(() => window.pcn.map.map.getCenter());
    await page.locator(tid('finding')).first().click();
    await settleMap();
    const after = await page.evaluate(() => window.pcn.map.map.getCenter());
    const f = check.findings.find((x) => x.severity === 'error') || check.findings[0];
    const moved = before.lat !== after.lat || before.lng !== after.lng;
    expect(moved || (!f.network && !f.practices.length), `clicking the finding "${f.message}" did not move the map`);
    await shot('findings');
    return `${shown} findings (${check.errors} errors), first: ${f.rule}`;
  });

  await flow('icb', async () => {
    await openTab('findings');
    const icbs = await apiGet('/api/icbs');
    const known = icbs.items.filter((i) => i.code);
    const label = (await text(tid('findings-icb-label'))).trim();
    expect(label === icbs.parent_tier, `the ICB picker is labelled "${label}", the snapshot's tier is ${icbs.parent_tier}`);
    const offeredIcbs = await page.locator(`${tid('findings-icb')} option`).evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    expect(offeredIcbs.length === known.length && known.every((i) => offeredIcbs.includes(i.code)), `the ICB picker offers ${offeredIcbs.join(',')}, /api/icbs ${known.map((i) => i.code).join(',')}`);
    if (!known.length) return 'the snapshot knows no ICB';
    // The smallest ICB with networks, so that choosing it narrows what is shown when there are several.
    const pick = known.filter((i) => i.networks > 0).sort((a, b) => a.networks - b.networks || a.code.localeCompare(b.code))[0];
    expect(pick, `no ICB in /api/icbs has networks: ${JSON.stringify(known)}`);
    const totalNetworks = Number(await page.evaluate(() => document.querySelector('[data-testid="map"]').dataset.networks));
    await page.selectOption(tid('findings-icb'), pick.code);
    await page.waitForSelector(`${tid('findings-list')}[data-loaded="true"][data-area="icb:${pick.code}"]`, { timeout: 30000 });
    const check = await apiGet(`/api/check?icb=${encodeURIComponent(pick.code)}&per_page=500`);
    const shown = await page.locator(tid('finding')).count();
    expect(shown === check.findings.length, `for ${pick.code} the list shows ${shown} findings, /api/check?icb= has ${check.findings.length}`);
    const comms = await page.locator(tid('finding')).evaluateAll((els) => els.map((e) => e.dataset.commissioner).filter(Boolean));
    const outside = comms.filter((c) => !pick.sub_icbs.includes(c));
    expect(!outside.length, `findings of commissioners outside ${pick.code} are shown: ${outside.join(',')}`);
    // The commissioner picker narrows to the ICB's sub-ICB locations.
    const offered = await page.locator(`${tid('findings-commissioner')} option`).evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    expect(offered.length > 0 && offered.every((c) => pick.sub_icbs.includes(c)), `the commissioner picker offers ${offered.join(',')} for ${pick.code} (${pick.sub_icbs.join(',')})`);
    // The map shows the ICB's networks and fades the rest.
    await settleMap();
    const m = await page.evaluate(() => ({ ...document.querySelector('[data-testid="map"]').dataset }));
    const n = Number(m.icbNetworks);
    expect(m.icb === pick.code && n > 0 && n <= pick.networks, `the map shows ${n} networks of ${m.icb} (the ICB has ${pick.networks})`);
    if (known.length > 1) {
      expect(n < totalNetworks, `choosing ${pick.code} did not narrow the map (${n} of ${totalNetworks} networks)`);
      const all = await apiGet('/api/check?per_page=1');
      expect(check.total < all.total || all.total === 0, `the ICB's findings (${check.total}) are not fewer than England's (${all.total})`);
    }
    await shot('icb');
    // One of its commissioners, then back to any ICB.
    await page.selectOption(tid('findings-commissioner'), offered[0]);
    await page.waitForSelector(`${tid('findings-list')}[data-loaded="true"][data-area="${offered[0]}"]`, { timeout: 30000 });
    await page.selectOption(tid('findings-icb'), '');
    await page.waitForFunction(() => document.querySelector('[data-testid="map"]').dataset.icb === '');
    expect(!(await errorBanner()), `an error is shown: ${await errorBanner()}`);
    return `${pick.code}: ${n} of ${totalNetworks} networks on the map, ${shown} findings`;
  });

  await flow('anonymous', async () => {
    expect(!(await page.locator(tid('tab-edit')).isVisible()), 'the Edit tab is visible to an anonymous visitor');
    expect((await page.locator(tid('edit-from-panel')).count()) === 0, 'an edit button is shown to an anonymous visitor');
    await openProposals('open');
    expect((await page.locator(tid('approve')).count()) === 0, 'an Approve button is shown to an anonymous visitor');
    const r = await rawFetch('POST', '/api/proposals', { kind: 'join', network: move.to, practice: move.practice, effective: '2030-01-01', reason: 'e2e anonymous' });
    expect(r.status === 401, `an anonymous POST /api/proposals answered ${r.status} (want 401): ${r.text.slice(0, 200)}`);
    await shot('anonymous');
  });

  let nmProposal = null;
  await flow('wrong-password', async () => {
    await page.fill(tid('login-username'), args['network-user']);
    await page.fill(tid('login-password'), `${args['network-password']}-wrong`);
    await page.click(tid('login-submit'));
    await visible(tid('error-banner'));
    const msg = (await text(tid('error-text'))).trim();
    expect(msg.length > 10, `a wrong password shows "${msg}"`);
    expect(!(await page.locator(tid('user-box')).isVisible()), 'a wrong password signed the visitor in');
    await shot('wrong-password');
    await page.click('#error-close');
    return msg;
  });

  await flow('network-manager', async () => {
    const user = await login(args['network-user'], args['network-password']);
    expect(user.role === 'network' && user.network, `${args['network-user']} is not a network manager: ${JSON.stringify(user)}`);
    expect(/network manager/.test(await text(tid('user-role'))), `the role shown is "${await text(tid('user-role'))}"`);
    await visible(tid('tab-edit'));
    // A practice near the manager's network, proposed to join it.
    const net = await apiGet(`/api/networks/${user.network}`);
    const nm = await pickMove(net.commissioner, { into: user.network, exclude: [move.practice, move.to, ...excluded] });
    await openTab('edit');
    await page.fill(tid('edit-practice-input'), nm.practice);
    await page.press(tid('edit-practice-input'), 'Enter');
    await page.waitForSelector(`${tid('edit-practice')}[data-code="${nm.practice}"]`);
    await page.selectOption(tid('edit-target'), user.network);
    await page.waitForSelector(`${tid('whatif')}[data-ready="true"]`, { timeout: 15000 });
    await page.click(tid('save-proposal'));
    await page.waitForSelector(`${tid('proposal-saved')}, ${tid('save-error')}`, { timeout: 15000 });
    expect(await page.locator(tid('proposal-saved')).count(), `the network manager could not save a proposal for their own network: ${await text(tid('save-error'))}`);
    nmProposal = Number(await page.getAttribute(tid('proposal-saved'), 'data-id'));
    await openProposals('open');
    const li = page.locator(`${tid('proposal')}[data-id="${nmProposal}"]`);
    await li.waitFor({ state: 'visible' });
    expect((await page.locator(tid('approve')).count()) === 0, 'a network manager is shown an Approve button');
    const r = await rawFetch('POST', `/api/proposals/${nmProposal}/decision`, { approve: true, reason: 'e2e: must be refused' }, { csrf: true });
    expect(r.status === 403, `a network manager's POST decision answered ${r.status} (want 403): ${r.text.slice(0, 200)}`);
    await shot('network-manager');
    await logout();
    expect(!(await page.locator(tid('tab-edit')).isVisible()), 'the Edit tab stayed after signing out');
    return `proposal #${nmProposal}: ${nm.practice} → ${user.network}`;
  });

  let staffNetwork = null;
  await flow('staff', async () => {
    // The network manager keeps their own network's ARRS staff records: add a post, save, and the
    // claimed total and the headroom follow.
    const user = await login(args['network-user'], args['network-password']);
    const code = user.network;
    await openTab('network');
    await page.fill(tid('search-input'), '');
    await page.type(tid('search-input'), code, { delay: 10 });
    const hit = page.locator(`${tid('search-result')}[data-code="${code}"][data-kind="network"]`);
    await hit.waitFor({ state: 'visible', timeout: 10000 });
    await hit.click();
    await page.waitForSelector(`${tid('panel-network')}[data-network="${code}"][data-loaded="true"]`, { timeout: 15000 });
    if ((await page.inputValue(tid('year-select'))) !== '2020/21') await page.selectOption(tid('year-select'), '2020/21');
    const editor = `${tid('staff-editor')}[data-loaded="true"]`;
    try {
      await visible(editor, 15000);
    } catch {
      throw new Fail(`the manager of ${code} is not shown the staff editor: ${(await text(tid('arrs-section'))).trim().slice(0, 200) || (await errorBanner()) || 'nothing shown'}`);
    }
    const parse = (t) => {
      const m = /^(−|-)?£([\d,]+)\.(\d\d)$/.exec(t.trim());
      if (!m) throw new Fail(`"${t}" is not an amount in pounds and pence`);
      const p = BigInt(m[2].replace(/,/g, '')) * 100n + BigInt(m[3]);
      return m[1] ? -p : p;
    };
    const figures = async () => ({
      maximum: parse(await text(tid('arrs-maximum'))),
      claimed: parse(await text(tid('arrs-claimed'))),
      headroom: parse(await text(tid('arrs-headroom'))),
    });
    const before = await figures();
    const n = await page.locator(tid('staff-row')).count();
    // Records saved by an earlier run come back without salary and on-costs: enter them again.
    for (const f of ['salary', 'on-costs']) {
      for (const el of await page.locator(`${tid('staff-row')} ${tid(`staff-${f}`)}`).all()) if (!(await el.inputValue())) await el.fill(f === 'salary' ? '40000' : '10000');
    }
    await page.click(tid('staff-add'));
    const row = page.locator(tid('staff-row')).nth(n);
    await row.waitFor({ state: 'visible' });
    await row.locator(tid('staff-role')).selectOption('clinical_pharmacist');
    await row.locator(tid('staff-start')).fill('2020-04-01');
    await row.locator(tid('staff-salary')).fill('40000');
    await row.locator(tid('staff-on-costs')).fill('10000');
    // A WTE out of range: the server refuses it and its message is shown next to the table.
    await row.locator(tid('staff-wte')).fill('3');
    await page.click(tid('staff-save'));
    await visible(tid('staff-error'));
    const refusal = (await text(tid('staff-error'))).trim();
    expect(/wte/i.test(refusal) && /post \d+/.test(refusal), `a WTE of 3 was answered with "${refusal}", not the server's message about the WTE`);
    expect(await page.locator(`${tid('staff-row')}.invalid`).count(), 'the refused post is not marked');
    await shot('staff-refused');
    await row.locator(tid('staff-wte')).fill('1.0');
    await page.click(tid('staff-save'));
    await page.waitForFunction(
      () => {
        const e = document.querySelector('[data-testid="staff-editor"]');
        const err = document.querySelector('[data-testid="staff-error"]');
        return (e && e.dataset.loaded === 'true' && !e.dataset.dirty && /Saved/.test(e.querySelector('[data-testid="staff-status"]')?.textContent || '')) || (err && !err.hidden);
      },
      null,
      { timeout: 15000 },
    );
    const err = page.locator(`${tid('staff-error')}:visible`);
    expect(!(await err.count()), `saving the staff records failed: ${await text(tid('staff-error'))}`);
    expect((await page.locator(tid('staff-row')).count()) === n + 1, `after saving, ${await page.locator(tid('staff-row')).count()} posts are shown (want ${n + 1})`);
    const after = await figures();
    expect(after.maximum === before.maximum, `the maximum changed from ${gbp(before.maximum)} to ${gbp(after.maximum)}`);
    expect(after.claimed > before.claimed, `the claimed total did not increase (${gbp(before.claimed)} → ${gbp(after.claimed)})`);
    expect(after.headroom === after.maximum - after.claimed, `headroom ${gbp(after.headroom)} ≠ maximum ${gbp(after.maximum)} − claimed ${gbp(after.claimed)}`);
    const api = await apiGet(`/api/networks/${code}/arrs?year=2020/21`);
    expect(BigInt(api.claimed_pence) === after.claimed && BigInt(api.headroom_pence) === after.headroom, `the page shows claimed ${gbp(after.claimed)}, headroom ${gbp(after.headroom)}; the API ${api.claimed_pence}, ${api.headroom_pence} pence`);
    const added = page.locator(tid('staff-row')).nth(n);
    const claimable = (await added.locator(tid('staff-claimable')).textContent()).trim();
    expect(claimable === gbp(api.staff[n].claimable_pence), `the new post shows ${claimable} claimable, the API ${api.staff[n].claimable_pence} pence`);
    await page.locator(tid('arrs-section')).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot('staff');
    // Another network's records are not the manager's to write.
    const others = await apiGet(`/api/networks?q=&per_page=50`);
    const other = (others.items || others).map((x) => x.code).find((c) => c && c !== code);
    expect(other, 'no other network to try');
    const r = await rawFetch('PUT', `/api/networks/${other}/staff`, [{ role: 'clinical_pharmacist', wte: '1.0', start: '2020-04-01', salary: '40000', on_costs: '10000' }], { csrf: true });
    expect(r.status === 403 && r.body && r.body.code === 'forbidden', `PUT /api/networks/${other}/staff as the manager of ${code} answered ${r.status} (want 403 forbidden): ${r.text.slice(0, 200)}`);
    staffNetwork = { code, posts: n + 1 };
    await logout();
    return `${code}: claimed ${gbp(before.claimed)} → ${gbp(after.claimed)}, headroom ${gbp(after.headroom)} of ${gbp(after.maximum)}; new post ${claimable}; PUT ${other}/staff → 403`;
  });

  await flow('commissioner-login', async () => {
    const user = await login(args['commissioner-user'], args['commissioner-password']);
    expect(user.role === 'commissioner', `role ${user.role}`);
    expect((await text(tid('user-role'))).includes(user.commissioner), `the role shown is "${await text(tid('user-role'))}"`);
    await visible(tid('tab-edit'));
    const r = await rawFetch('POST', '/api/whatif', { moves: [{ practice: move.practice, to: move.to }] });
    const noCsrf = await rawFetch('POST', '/api/proposals', { kind: 'join', network: move.to, practice: move.practice, effective: '2030-01-01', reason: 'no token' });
    expect(noCsrf.status === 403, `a POST without X-CSRF-Token answered ${noCsrf.status} (want 403 csrf): ${noCsrf.text.slice(0, 200)}`);
    await shot('commissioner');
    return `without X-CSRF-Token: proposal ${noCsrf.status} ${noCsrf.body && noCsrf.body.code}, what-if (saves nothing) ${r.status}`;
  });

  await flow('staff-commissioner', async () => {
    // The commissioner of the manager's network reads its staff records; the editor is the manager's.
    const net = await apiGet(`/api/networks/${staffNetwork.code}`);
    await openTab('network');
    await page.fill(tid('search-input'), '');
    await page.type(tid('search-input'), staffNetwork.code, { delay: 10 });
    const hit = page.locator(`${tid('search-result')}[data-code="${staffNetwork.code}"][data-kind="network"]`);
    await hit.waitFor({ state: 'visible', timeout: 10000 });
    await hit.click();
    await page.waitForSelector(`${tid('panel-network')}[data-network="${staffNetwork.code}"][data-loaded="true"]`, { timeout: 15000 });
    await visible(tid('arrs-headroom'));
    const own = net.commissioner === commissionerUser.commissioner;
    if (own) {
      await visible(tid('arrs-staff'));
      const rows = await page.locator(tid('arrs-staff-row')).count();
      expect(rows === staffNetwork.posts, `the commissioner is shown ${rows} posts of ${staffNetwork.code} (want ${staffNetwork.posts})`);
      expect(/£/.test(await text(tid('arrs-headroom'))), `the commissioner is not shown the headroom: "${await text(tid('arrs-headroom'))}"`);
    } else {
      await visible(tid('arrs-hidden'));
    }
    expect((await page.locator(tid('staff-editor')).count()) === 0, 'the commissioner is shown the staff editor');
    expect((await page.locator(tid('staff-save')).count()) === 0, 'the commissioner is shown a Save button for staff records');
    const r = await rawFetch('PUT', `/api/networks/${staffNetwork.code}/staff`, [], { csrf: true });
    expect(r.status === 403, `the commissioner's PUT /api/networks/${staffNetwork.code}/staff answered ${r.status} (want 403): ${r.text.slice(0, 200)}`);
    await page.locator(tid('arrs-section')).evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shot('staff-commissioner');
    return own ? `${staffNetwork.code}: ${staffNetwork.posts} post${staffNetwork.posts === 1 ? '' : 's'} read-only; PUT → 403` : `${staffNetwork.code} is outside ${commissionerUser.commissioner}: claims hidden`;
  });

  let ms = 0;
  await flow('whatif', async () => {
    await openTab('edit');
    // Find the practice with the search box, then click it on the map as a person would.
    await page.fill(tid('search-input'), '');
    await page.type(tid('search-input'), move.practice, { delay: 10 });
    const hit = page.locator(`${tid('search-result')}[data-code="${move.practice}"][data-kind="practice"]`);
    await hit.waitFor({ state: 'visible' });
    await hit.click();
    await settleMap();
    // Click it on the map; where circles overlap, zoom in on it with the wheel first, as a person would.
    const picked = `${tid('edit-practice')}[data-code="${move.practice}"]`;
    let clicked = false;
    for (let attempt = 0; attempt < 3 && !clicked; attempt++) {
      const box = await page.locator(tid('map')).boundingBox();
      const pt = await page.evaluate((code) => window.pcn.pointOf('practice', code), move.practice);
      expect(pt, `${move.practice} is not drawn on the map`);
      if (attempt > 0) {
        await page.mouse.move(box.x + pt.x, box.y + pt.y);
        for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -300);
        await settleMap();
        continue;
      }
      await page.mouse.click(box.x + pt.x, box.y + pt.y);
      clicked = await page.locator(picked).waitFor({ timeout: 3000 }).then(() => true, () => false);
    }
    if (!clicked) {
      const box = await page.locator(tid('map')).boundingBox();
      const pt = await page.evaluate((code) => window.pcn.pointOf('practice', code), move.practice);
      await page.mouse.click(box.x + pt.x, box.y + pt.y);
      clicked = await page.locator(picked).waitFor({ timeout: 3000 }).then(() => true, () => false);
    }
    let how = 'clicked on the map';
    if (!clicked) {
      // Practices at one address share a point: the code field is the way to pick one of them.
      await page.fill(tid('edit-practice-input'), move.practice);
      await page.press(tid('edit-practice-input'), 'Enter');
      await page.waitForSelector(picked);
      how = 'typed (it shares its point with another practice)';
    }
    const options = await page.locator(`${tid('edit-target')} option`).evaluateAll((os) => os.map((o) => o.value));
    expect(options.includes(move.to), `${move.to} is not offered as a target (offered: ${options.filter(Boolean).slice(0, 12).join(', ')}…)`);
    const t0 = Date.now();
    await page.selectOption(tid('edit-target'), move.to);
    await page.waitForSelector(`${tid('whatif')}[data-ready="true"]`, { timeout: 15000 });
    const shown = Date.now() - t0;
    const cards = await page.locator(tid('whatif-network')).evaluateAll((els) => els.map((e) => e.dataset.code));
    expect(cards.includes(move.from) && cards.includes(move.to), `the what-if shows ${cards.join(', ')}, not both ${move.from} and ${move.to}`);
    for (const code of [move.from, move.to]) {
      const card = `${tid('whatif-network')}[data-code="${code}"]`;
      const d = (await text(`${card} ${tid('whatif-pay-delta')}`)).trim();
      expect(/^[+−]?£[\d,]+\.\d\d$/.test(d), `the funding change of ${code} is "${d}"`);
      expect(await page.locator(`${card} ${tid('whatif-findings')}`).count(), `no findings section for ${code}`);
    }
    ms = Number(await page.getAttribute(tid('whatif-ms'), 'data-ms'));
    expect(/ms/.test(await text(tid('whatif-ms'))), 'the what-if time is not shown');
    expect(ms < 200, `the what-if round trip took ${ms} ms (want under 200 ms)`);
    await shot('whatif');
    return `${move.practice} ${how}; round trip ${ms.toFixed(0)} ms, shown ${shown} ms after choosing`;
  });

  let proposalId = null;
  await flow('save-proposal', async () => {
    await page.fill(tid('edit-reason'), 'e2e: move to the neighbouring network');
    await page.click(tid('save-proposal'));
    await page.waitForSelector(`${tid('proposal-saved')}, ${tid('save-error')}`, { timeout: 15000 });
    expect(await page.locator(tid('proposal-saved')).count(), `saving the proposal failed: ${await text(tid('save-error'))}`);
    proposalId = Number(await page.getAttribute(tid('proposal-saved'), 'data-id'));
    expect(proposalId > 0, 'no proposal id shown');
    await shot('saved');
    return `proposal #${proposalId}`;
  });

  await flow('approve', async () => {
    await openProposals('open');
    const li = `${tid('proposal')}[data-id="${proposalId}"]`;
    await visible(li);
    await page.click(`${li} ${tid('approve')}`);
    // A move that leaves errors is refused (409) until the commissioner accepts the findings.
    await page.waitForFunction(
      (sel) => {
        const el = document.querySelector(sel);
        return !el || /approved|conflict|refused|error/i.test(el.textContent) || document.querySelector(`${sel} [data-testid="decision-conflict"]`);
      },
      `${li} [data-testid="decision-result"]`,
      { timeout: 15000 },
    );
    let note = 'approved';
    if (await page.locator(`${li} ${tid('approve-accepting')}`).count()) {
      note = `approved accepting findings (${(await text(`${li} ${tid('decision-conflict')}`)).trim().slice(0, 120)})`;
      await shot('approve-conflict');
      await page.click(`${li} ${tid('approve-accepting')}`);
    }
    await openProposals('approved');
    const done = `${tid('proposal')}[data-id="${proposalId}"][data-status="approved"]`;
    try {
      await visible(done, 10000);
    } catch {
      throw new Fail(`proposal #${proposalId} is not listed as approved: ${(await errorBanner()) || 'no message shown'}`);
    }
    await shot('approved');
    return note;
  });

  await flow('reject', async () => {
    // The network manager's proposal: the commissioner of its area rejects it.
    await openProposals('open');
    const li = `${tid('proposal')}[data-id="${nmProposal}"]`;
    if (!(await page.locator(li).count())) return `proposal #${nmProposal} is not open any more`;
    if (!(await page.locator(`${li} ${tid('reject')}`).count())) return `proposal #${nmProposal} is outside ${commissionerUser.commissioner}: no Reject button`;
    await page.fill(`${li} ${tid('decision-reason')}`, 'e2e: not this time');
    await page.click(`${li} ${tid('reject')}`);
    await openProposals('rejected');
    try {
      await visible(`${tid('proposal')}[data-id="${nmProposal}"][data-status="rejected"]`, 10000);
    } catch {
      throw new Fail(`proposal #${nmProposal} is not listed as rejected: ${(await errorBanner()) || 'no message shown'}`);
    }
    await shot('rejected');
    return `proposal #${nmProposal} rejected`;
  });

  await flow('repair', async () => {
    const before = await openCount();
    await openTab('edit');
    await page.selectOption(tid('repair-commissioner'), commissionerUser.commissioner);
    await page.fill(tid('repair-seconds'), '3');
    await page.click(tid('repair-run'));
    await page.waitForSelector(`${tid('repair-result')}[data-ready="true"], ${tid('repair-result')} .error-inline`, { timeout: 90000 });
    expect(!(await page.locator(`${tid('repair-result')} .error-inline`).count()), `repair failed: ${await text(tid('repair-result'))}`);
    const moves = await page.locator(tid('repair-move')).count();
    await settleMap();
    await shot('repair');
    expect((await openCount()) === before, `repair saved proposals by itself (${before} open before, ${await openCount()} after)`);
    if (!moves) return 'no moves suggested; nothing saved';
    const accept = page.locator(`${tid('repair-accept')}:not([disabled])`).first();
    expect(await accept.count(), 'no suggested move can be accepted');
    await accept.click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="repair-move-status"]')].some((e) => /proposal #|\S/.test(e.textContent) && !/saving/.test(e.textContent)), null, { timeout: 15000 });
    const statuses = await page.locator(tid('repair-move-status')).allTextContents();
    const accepted = statuses.find((s) => /proposal #/.test(s));
    expect(accepted, `accepting a move did not save it: ${statuses.filter(Boolean).join(' | ')}`);
    const after = await openCount();
    expect(after === before + 1, `accepting one move changed the open proposals from ${before} to ${after}`);
    await shot('repair-accepted');
    return `${moves} moves suggested; none saved until one was accepted (${accepted})`;
  });

  await flow('compare', async () => {
    await openTab('compare');
    const snaps = await apiGet('/api/snapshots');
    if (snaps.length >= 2) {
      await page.check(tid('compare-by-snapshots'));
      await page.selectOption(tid('compare-a'), String(snaps[0].id));
      await page.selectOption(tid('compare-b'), String(snaps[snaps.length - 1].id));
    } else {
      await page.check(tid('compare-by-dates'));
      await page.fill(tid('compare-a-date'), snaps[0].as_of);
      const eff = await page.evaluate(() => {
        const d = new Date();
        return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
      });
      await page.fill(tid('compare-b-date'), eff);
    }
    await page.selectOption(tid('compare-commissioner'), commissionerUser.commissioner);
    await page.click(tid('compare-run'));
    await page.waitForSelector(`${tid('compare-result')}[data-ready="true"], ${tid('compare-error')}`, { timeout: 60000 });
    expect(!(await page.locator(tid('compare-error')).count()), `the comparison failed: ${await text(tid('compare-error'))}`);
    await visible(tid('compare-view'));
    for (const side of ['a', 'b']) {
      const ds = await page.evaluate((s) => ({ ...document.querySelector(`[data-testid="compare-map-${s}"]`).dataset }), side);
      expect(ds.ready === 'true' && Number(ds.networks) > 0, `comparison map ${side.toUpperCase()} drew nothing (${JSON.stringify(ds)})`);
    }
    const summary = (await text(tid('compare-summary'))).trim();
    expect(/moved/.test(summary), `no comparison summary: "${summary}"`);
    await page.waitForTimeout(500);
    await shot('compare');
    return `${snaps.length >= 2 ? 'snapshots' : 'register dates'}: ${summary}`;
  });

  await flow('snapshot', async () => {
    const snaps = await apiGet('/api/snapshots');
    if (snaps.length < 2) return 'one snapshot only: nothing to switch';
    await openTab('network');
    const old = snaps[0];
    await page.selectOption(tid('snapshot-select'), String(old.id));
    await page.waitForFunction((d) => (document.querySelector('[data-testid="map-status"]')?.textContent || '').includes(`snapshot ${d}`), old.as_of, { timeout: 60000 });
    const n = Number(await page.getAttribute(tid('map'), 'data-networks'));
    expect(n > 0, `the map of snapshot #${old.id} drew no networks`);
    await shot('older-snapshot');
    const latest = snaps[snaps.length - 1];
    await page.selectOption(tid('snapshot-select'), String(latest.id));
    await page.waitForFunction((d) => (document.querySelector('[data-testid="map-status"]')?.textContent || '').includes(`snapshot ${d}`), latest.as_of, { timeout: 60000 });
    expect(!(await errorBanner()), `an error is shown: ${await errorBanner()}`);
    return `#${old.id} (${old.as_of}): ${n} networks`;
  });

  await flow('profile', async () => {
    // Who the network serves: lists, deprivation and rurality beside its commissioner and England
    // (SVG charts with titles, the numbers in tables), and its QOF prevalence (or why there is none).
    resetProblems();
    const code = move.from;
    await openNetworkBySearch(code);
    await page.click(tid('net-view-profile'));
    await page.waitForSelector(`${tid('profile-section')}:not([data-loaded="false"])`, { timeout: 30000 });
    expect((await page.getAttribute(tid('profile-section'), 'data-loaded')) === 'true', `the profile of ${code} failed: ${await text(tid('profile-error'))}`);
    expect(!(await page.locator(tid('network-members')).isVisible()), 'the overview is still shown beside the profile');
    const api = await apiGet(`/api/networks/${code}/profile`);
    const p = api.profile;
    const n = (x) => Number(x).toLocaleString('en-GB');
    expect((await text(tid('profile-registered'))).trim() === n(p.registered), `the profile shows ${await text(tid('profile-registered'))} registered, the API ${p.registered}`);
    expect((await text(tid('profile-practices'))).trim() === n(p.practices), `the profile shows ${await text(tid('profile-practices'))} practices, the API ${p.practices}`);
    const shared = (rows) => rows.some((r) => r.share > 0 || r.commissioner_share > 0 || r.england_share > 0);
    const notes = [];
    let charts = 0;
    // Deprivation: ten deciles, each with its title, or a note that there are none.
    if (shared(p.deprivation)) {
      const svg = `${tid('profile-deprivation-chart')}`;
      await visible(svg);
      const deciles = await page.locator(`${svg} .decile`).count();
      expect(deciles === 10, `the decile chart has ${deciles} deciles`);
      const tip = (await page.locator(`${svg} .decile[data-decile="1"] > title`).textContent()) || '';
      const d1 = p.deprivation.find((r) => r.class === '1');
      expect(tip.includes(`${(d1.share * 100).toFixed(1)}%`) && tip.includes(`${(d1.england_share * 100).toFixed(1)}%`), `decile 1's title "${tip}" does not give the API's shares ${d1.share} and ${d1.england_share}`);
      expect((await page.locator(`${svg} > title`).count()) === 1, 'the decile chart has no <title>');
      charts++;
      notes.push(`mean IMD decile ${p.mean_imd_decile[0]}`);
    } else {
      await visible(tid('profile-deprivation-none'));
      notes.push('no IMD deciles');
    }
    // Rurality: three stacked bars (network, commissioner, England).
    if (shared(p.rurality)) {
      const svg = `${tid('profile-rurality-chart')}`;
      await visible(svg);
      const bars = await page.locator(`${svg} .rural-bar`).count();
      expect(bars === 3, `the rurality chart has ${bars} bars (want network, commissioner, England)`);
      const segs = await page.locator(`${svg} .rural-bar[data-area="england_share"] .seg`).count();
      expect(segs === p.rurality.filter((r) => r.england_share > 0).length, `England's rurality bar has ${segs} segments, the API ${p.rurality.filter((r) => r.england_share > 0).length} classes`);
      charts++;
      notes.push(`rural ${(p.rural_share[0] * 100).toFixed(1)}%`);
    } else {
      await visible(tid('profile-rurality-none'));
      notes.push('no rurality');
    }
    // Prevalence: the main groups first, the rest behind a button; ratios far from 1 flagged.
    if (api.qof_registers && p.prevalence.length) {
      const main = ['HYP', 'DM', 'COPD', 'AST', 'CHD', 'DEM', 'DEP', 'CKD'];
      const want = main.filter((g) => p.prevalence.some((x) => x.group === g));
      const shownMain = await page.locator(`${tid('prevalence-main')} ${tid('prevalence-row')}`).evaluateAll((els) => els.map((e) => e.dataset.group));
      expect(JSON.stringify(shownMain) === JSON.stringify(want), `the main prevalence rows are ${shownMain.join(',')}, want ${want.join(',')}`);
      if (await page.locator(tid('prevalence-more')).count()) {
        expect(!(await page.locator(tid('prevalence-rest')).isVisible()), 'the other groups are not collapsed');
        await page.click(tid('prevalence-more'));
        await visible(`${tid('prevalence-rest')} ${tid('prevalence-row')}`);
      }
      const rows = await page.locator(tid('prevalence-row')).count();
      expect(rows === p.prevalence.length, `the table has ${rows} prevalence rows, the API ${p.prevalence.length}`);
      const first = p.prevalence.find((g) => g.group === (want[0] || p.prevalence[0].group));
      const row = `${tid('prevalence-row')}[data-group="${first.group}"]`;
      const cell = (await text(`${row} td strong`)).trim();
      expect(first.percent == null || cell === `${first.percent.toFixed(2)}%`, `${first.group} shows ${cell}, the API ${first.percent}%`);
      expect(await page.locator(`${row} svg${tid('prevalence-plot')} title`).count(), `${first.group} has no dot plot with a title`);
      const far = p.prevalence.filter((g) => g.ratio_to_england != null && (g.ratio_to_england < 0.8 || g.ratio_to_england > 1.25)).length;
      const flagged = await page.locator(`${tid('prevalence-ratio')}[data-far]`).count();
      expect(flagged === far, `${flagged} ratios to England are highlighted, the API has ${far} under 0.8 or over 1.25`);
      charts++;
      notes.push(`${rows} QOF groups, ${first.group} ${first.percent}%, ${far} far from England`);
    } else {
      await visible(tid('profile-prevalence-none'));
      notes.push(api.qof_registers ? 'no QOF registers for its practices' : 'no QOF prevalence in the store');
    }
    const svgs = await page.locator(`${tid('profile-section')} svg[role="img"]`).count();
    expect(!charts || svgs > 0, 'the profile draws no SVG chart');
    expect(!(await errorBanner()), `an error is shown: ${await errorBanner()}`);
    expect(!problems.page.length && !problems.console.length && !problems.http.length, `the profile made errors: ${[...problems.page, ...problems.console, ...problems.http].join(' | ')}`);
    await page.locator(tid('profile-section')).evaluate((el) => el.closest('.panel').scrollTo(0, 0));
    await shot('profile');
    if (await page.locator(tid('profile-prevalence')).count()) {
      await scrollPanel(tid('profile-prevalence'));
      await shot('profile-prevalence');
    }
    return `${code}: ${svgs} charts; ${notes.join('; ')}`;
  });

  await flow('profile-change', async () => {
    // The profile's printable page and CSV links, and (with two snapshots) its change since another snapshot.
    resetProblems();
    const code = move.from;
    await openNetworkBySearch(code);
    await page.click(tid('net-view-profile'));
    await page.waitForSelector(`${tid('profile-section')}[data-loaded="true"]`, { timeout: 30000 });
    const snap = await page.evaluate(() => window.pcn.state.snapshot);
    const { profile: p } = await apiGet(`/api/networks/${code}/profile?snapshot=${snap}`);
    // All profiles as CSV: this snapshot, the network's commissioner, a row with the API's figures.
    const csvHref = await page.getAttribute(tid('profile-csv'), 'href');
    expect(csvHref === `/api/profiles.csv?snapshot=${snap}${p.commissioner ? `&commissioner=${p.commissioner}` : ''}`, `the CSV link is ${csvHref}`);
    const csv = await rawFetch('GET', csvHref);
    expect(csv.status === 200, `GET ${csvHref} answered ${csv.status}: ${csv.text.slice(0, 200)}`);
    const lines = csv.text.trim().split('\n');
    expect(lines[0] === 'network,commissioner,practices,registered,weighted,rural_pct,mean_imd_decile,hyp_pct,dm_pct,copd_pct,dem_pct', `the CSV header is ${lines[0]}`);
    const mine = lines.find((l) => l.startsWith(`${code},`));
    expect(mine && mine.split(',')[3] === String(p.registered), `the CSV row of ${code} is "${mine}", the API has ${p.registered} registered`);
    const snaps = await apiGet('/api/snapshots');
    const others = snaps.filter((s) => s.id !== snap);
    let note;
    let against = null;
    if (snaps.length < 2) {
      expect(!(await page.locator(tid('profile-compare-select')).count()), 'a compare select is shown with one snapshot');
      note = 'one snapshot: no comparison';
    } else {
      // Compare with the oldest other snapshot: the table is the API's change, measure by measure.
      await visible(tid('profile-compare-select'));
      const offered = await page.locator(`${tid('profile-compare-select')} option`).evaluateAll((els) => els.map((e) => e.value).filter(Boolean).map(Number));
      expect(JSON.stringify(offered) === JSON.stringify(others.map((s) => s.id)), `the compare select offers ${offered.join(',')}, want ${others.map((s) => s.id).join(',')}`);
      against = others[0].id;
      await page.selectOption(tid('profile-compare-select'), String(against));
      await page.waitForSelector(`${tid('profile-change')}[data-state="ready"], ${tid('profile-change')}[data-state="error"]`, { timeout: 30000 });
      expect(!(await page.locator(tid('profile-change-error')).count()), `the change failed: ${await text(tid('profile-change-error'))}`);
      const api = (await apiGet(`/api/networks/${code}/profile?snapshot=${snap}&against=${against}`)).change;
      expect(api.then_snapshot === against && api.now_snapshot === snap, `the API compares ${api.then_snapshot} with ${api.now_snapshot}`);
      const shown = await page.locator(tid('profile-change-row')).evaluateAll((rows) =>
        rows.map((r) => ({
          measure: r.dataset.measure,
          sign: r.dataset.sign,
          then: r.querySelector('[data-testid="change-then"]').textContent,
          now: r.querySelector('[data-testid="change-now"]').textContent,
          change: r.querySelector('[data-testid="change-text"]').textContent,
        })),
      );
      expect(shown.length === api.rows.length, `the table has ${shown.length} rows, the API ${api.rows.length}`);
      const counts = ['practices', 'registered', 'weighted'];
      const fig = (m, v) => (v == null ? '—' : counts.includes(m) ? Number(v).toLocaleString('en-GB') : `${Number(v).toFixed(2)}${m.endsWith(' %') ? '%' : ''}`);
      const chg = (m, v) => (v == null ? '—' : v === 0 ? '0' : `${v > 0 ? '+' : '−'}${counts.includes(m) ? Math.abs(v).toLocaleString('en-GB') : Math.abs(v).toFixed(2)}${m.endsWith(' %') ? ' pts' : ''}`);
      api.rows.forEach((r, i) => {
        const s = shown[i];
        const sign = r.change == null ? 'none' : r.change > 0 ? 'up' : r.change < 0 ? 'down' : 'same';
        expect(s.measure === r.measure, `row ${i} is ${s.measure}, the API's ${r.measure}`);
        expect(s.then === fig(r.measure, r.then) && s.now === fig(r.measure, r.now) && s.change === chg(r.measure, r.change) && s.sign === sign, `${r.measure}: the page shows ${s.then} → ${s.now} (${s.change}, ${s.sign}); the API ${r.then} → ${r.now} (${r.change})`);
        if (r.then != null && r.now != null) expect(Math.abs(r.change - Math.round((r.now - r.then) * 100) / 100) < 1e-9, `${r.measure}: the API's change ${r.change} is not ${r.now} − ${r.then}`);
      });
      const moved = api.rows.filter((r) => r.change != null && r.change !== 0);
      expect(moved.length > 0, `nothing changed for ${code} between snapshots ${against} and ${snap}: the test data should differ`);
      await scrollPanel(tid('profile-compare'));
      await shot('profile-change');
      note = `${code} since #${against}: ${moved.map((r) => `${r.measure} ${r.change > 0 ? '+' : ''}${r.change}`).join(', ')}`;
    }
    // The printable page: a new tab with the network's code, its own inline style applied (the policy allows it).
    const href = await page.getAttribute(tid('profile-print'), 'href');
    expect(href === `/api/networks/${code}/profile.html?snapshot=${snap}${against ? `&against=${against}` : ''}`, `the printable link is ${href}`);
    expect((await page.getAttribute(tid('profile-print'), 'target')) === '_blank', 'the printable page does not open in a new tab');
    const [tab] = await Promise.all([page.context().waitForEvent('page'), page.click(tid('profile-print'))]);
    const tabErrors = [];
    tab.on('console', (m) => m.type() === 'error' && tabErrors.push(m.text()));
    await tab.waitForLoadState('load');
    const title = await tab.locator('h1').textContent();
    expect(title.startsWith(`Profile of ${code}`), `the printable page's heading is "${title}"`);
    const styled = await tab.evaluate(() => getComputedStyle(document.querySelector('td')).borderTopStyle);
    expect(styled === 'solid', `the printable page's own style is not applied (a table cell's border is ${styled}): ${tabErrors.join(' | ')}`);
    if (against) expect((await tab.locator('h2', { hasText: `Change since snapshot ${against}` }).count()) === 1, 'the printable page has no change table');
    expect(!tabErrors.length, `the printable page logged errors: ${tabErrors.join(' | ')}`);
    shotNo++;
    await tab.screenshot({ path: path.join(shots, `${String(shotNo).padStart(2, '0')}-profile-printable.png`), fullPage: true });
    await tab.close();
    expect(!(await errorBanner()), `an error is shown: ${await errorBanner()}`);
    expect(!problems.page.length && !problems.console.length && !problems.http.length, `errors: ${[...problems.page, ...problems.console, ...problems.http].join(' | ')}`);
    return `${note}; printable page and CSV (${lines.length - 1} networks)`;
  });

  await flow('care-homes', async () => {
    // The CQC care homes nearest a network's practices: the summary, the beds chart and the homes
    // as the API has them, an alignment-gap prompt when the premium paid falls short, and the homes
    // drawn on the map. Without a CQC directory the profile says so.
    resetProblems();
    const snap = await page.evaluate(() => window.pcn.state.snapshot);
    let code = null;
    let res = null;
    for (let pageNo = 1; !code && pageNo <= 10; pageNo++) {
      const list = await apiGet(`/api/networks?snapshot=${snap}&per_page=100&page=${pageNo}`);
      const items = list.items || [];
      for (const it of items) {
        const r = await apiGet(`/api/networks/${it.code}/profile?snapshot=${snap}`);
        if (!r.care_homes) break;
        if ((r.prompts || []).some((x) => x.id === 'ehch.alignment-gap')) {
          code = it.code;
          res = r;
          break;
        }
      }
      if (items.length < 100) break;
    }
    if (!code) {
      const r = await apiGet(`/api/networks/${move.from}/profile?snapshot=${snap}`);
      expect(!r.care_homes, `no network of snapshot ${snap} has an alignment-gap prompt, though it has care homes`);
      await openNetworkBySearch(move.from);
      await page.click(tid('net-view-profile'));
      await page.waitForSelector(`${tid('profile-section')}[data-loaded="true"]`, { timeout: 30000 });
      await visible(tid('profile-care-homes-none'));
      return `snapshot ${snap} has no CQC directory: the profile says so`;
    }
    await openNetworkBySearch(code);
    await page.click(tid('net-view-profile'));
    await page.waitForSelector(`${tid('profile-section')}[data-loaded="true"]`, { timeout: 30000 });
    const c = res.care_homes;
    const summary = await text(tid('care-homes-summary'));
    const want = `${c.homes.toLocaleString('en-GB')} care home${c.homes === 1 ? '' : 's'}, ${c.beds.toLocaleString('en-GB')} beds`;
    expect(summary.startsWith(want), `the care-home summary reads "${summary}", want it to start "${want}"`);
    const rows = await page.locator(tid('care-home-row')).evaluateAll((els) => els.map((e) => e.dataset.id));
    expect(JSON.stringify(rows) === JSON.stringify(c.list.map((x) => x.location_id)), `the table lists ${rows.length} homes, the API ${c.list.length}`);
    const chart = await page.getAttribute(tid('profile-beds-chart'), 'aria-labelledby');
    const label = await page.locator(`#${chart}`).textContent();
    expect(label.includes(`${code} ${c.beds_per_1000[0].toFixed(1)}`), `the beds chart is labelled "${label}", the API has ${c.beds_per_1000[0]} per 1,000`);
    const prompt = await page.locator(`${tid('profile-prompt')}[data-id="ehch.alignment-gap"]`).textContent();
    const api = res.prompts.find((x) => x.id === 'ehch.alignment-gap');
    expect(prompt.includes(api.message), `the prompt reads "${prompt}", the API "${api.message}"`);
    await page.click(tid('care-homes-show'));
    await page.waitForFunction((n) => document.getElementById('map').dataset.careHomes === String(n), c.list.length, { timeout: 10000 });
    await settleMap();
    const markers = await page.locator('#map .care-home-marker').count();
    expect(markers === c.list.length, `the map draws ${markers} care homes, the API lists ${c.list.length}`);
    await scrollPanel(tid('profile-care-homes'));
    await shot('care-homes');
    expect(!(await errorBanner()), `an error is shown: ${await errorBanner()}`);
    expect(!problems.page.length && !problems.console.length && !problems.http.length, `errors: ${[...problems.page, ...problems.console, ...problems.http].join(' | ')}`);
    return `${code}: ${c.homes} homes, ${c.beds} beds, ${c.beds_per_1000[0]} per 1,000 (England ${c.beds_per_1000[2]}); prompt shown; ${markers} on the map`;
  });

  await flow('services', async () => {
    // The network manager's checklist: overdue first, then due, then done; one item marked done with
    // evidence moves to done; anonymous visitors read only, and their PUT answers 401.
    resetProblems();
    const user = await login(args['network-user'], args['network-password']);
    const code = user.network;
    await openNetworkBySearch(code);
    await page.click(tid('net-view-services'));
    const loaded = async () => {
      await page.waitForSelector(`${tid('services-section')}:not([data-loaded="false"])`, { timeout: 30000 });
      expect((await page.getAttribute(tid('services-section'), 'data-loaded')) === 'true', `the checklist of ${code} failed: ${await text(tid('services-error'))}`);
    };
    await loaded();
    const statuses = async () => page.locator(tid('service-item')).evaluateAll((els) => els.map((e) => e.dataset.status));
    const rank = { overdue: 0, due: 1, done: 2 };
    const check = async (on) => {
      const c = await apiGet(`/api/networks/${code}/services?on=${on}`);
      const st = await statuses();
      const count = (k) => st.filter((x) => x === k).length;
      expect(count('overdue') === c.overdue.length && count('due') === c.due.length && count('done') === c.done.length, `on ${on} the page shows ${count('overdue')} overdue, ${count('due')} due, ${count('done')} done; the API ${c.overdue.length}, ${c.due.length}, ${c.done.length}`);
      expect(st.every((x, i) => i === 0 || rank[st[i - 1]] <= rank[x]), `the checklist is not overdue, then due, then done: ${st.join(',')}`);
      return c;
    };
    // The default day: today, or the nearest day in the years the specifications are known for.
    let on = await page.inputValue(tid('services-on'));
    const today = new Date().toISOString().slice(0, 10);
    expect(on === (today < '2019-04-01' ? '2019-04-01' : today > '2026-03-31' ? '2026-03-31' : today), `the checklist opens on ${on} (today is ${today})`);
    let c = await check(on);
    const overdueColour = await page.locator(`${tid('service-item')}[data-status="overdue"]`).first().evaluate((e) => getComputedStyle(e).borderLeftColor).catch(() => null);
    if (c.overdue.length) expect(overdueColour === 'rgb(185, 28, 28)', `overdue items are not marked red (${overdueColour})`);
    // The date picker: a day of 2022/23, when some requirements were due and others overdue.
    if (!c.overdue.length && !c.due.length) {
      on = '2022-06-01';
      await page.fill(tid('services-on'), on);
      await page.waitForFunction((d) => document.querySelector('[data-testid="services-section"]')?.dataset.on === d, on, { timeout: 15000 });
      await loaded();
      c = await check(on);
    }
    const target = c.overdue[0] || c.due[0];
    expect(target, `nothing is overdue or due for ${code} on ${on}`);
    const item = `${tid('service-item')}[data-requirement="${target.requirement}"]`;
    await page.locator(`${item} ${tid('service-mark')}`).click();
    await visible(`${item} ${tid('service-mark-form')}`);
    const date = await page.inputValue(`${item} ${tid('service-mark-date')}`);
    expect(date && date <= on, `the mark's date defaults to ${date}, after the checklist's day ${on}`);
    // Evidence is required: saving without it says so, and nothing is sent.
    await page.click(`${item} ${tid('service-mark-save')}`);
    await page.waitForTimeout(200);
    expect((await page.locator(`${item}[data-status="done"]`).count()) === 0, 'the item was marked done without evidence');
    const evidence = `e2e: minutes of the ${code} board, item 4 (${new Date().toISOString()})`;
    await page.fill(`${item} ${tid('service-mark-evidence')}`, evidence);
    await scrollPanel(item, 80);
    await shot('services-mark');
    await page.click(`${item} ${tid('service-mark-save')}`);
    const done = `${item}[data-status="done"]`;
    try {
      await visible(done, 15000);
    } catch {
      throw new Fail(`${target.requirement} did not move to done: ${(await text(`${item} ${tid('service-mark-error')}`)).trim() || (await errorBanner()) || 'no message shown'}`);
    }
    expect((await text(`${done} ${tid('service-evidence')}`)).trim() === evidence, `the done item shows the evidence "${await text(`${done} ${tid('service-evidence')}`)}"`);
    expect((await text(`${done} ${tid('service-marked-by')}`)).includes(user.username), `the done item does not say ${user.username} marked it: "${await text(`${done} ${tid('service-marked-by')}`)}"`);
    expect(/Marked/.test(await text(tid('services-flash'))), `no confirmation is shown: "${await text(tid('services-flash'))}"`);
    const after = await check(on);
    expect(after.done.length === c.done.length + 1 && after.done.some((x) => x.requirement === target.requirement && x.evidence === evidence && x.done_on === date), `the API does not have ${target.requirement} done on ${date} with the evidence`);
    await scrollPanel(done, 120);
    await shot('services');
    // Another network's requirements are not the manager's to mark.
    const others = await apiGet('/api/networks?q=&per_page=50');
    const other = (others.items || others).map((x) => x.code).find((x) => x && x !== code);
    const forbidden = await rawFetch('PUT', `/api/networks/${other}/services/${encodeURIComponent(target.requirement)}`, { done_on: date, evidence: 'e2e: must be refused' }, { csrf: true });
    expect(forbidden.status === 403, `the manager of ${code} marking ${other}'s requirement answered ${forbidden.status} (want 403): ${forbidden.text.slice(0, 200)}`);
    // The date picker: another day's checklist, as the API has it.
    const other_day = on === '2022-06-01' ? '2021-11-23' : '2022-06-01';
    await page.fill(tid('services-on'), other_day);
    await page.waitForFunction((d) => document.querySelector('[data-testid="services-section"]')?.dataset.on === d, other_day, { timeout: 15000 });
    await loaded();
    const then = await check(other_day);
    expect((await text(tid('services-year'))).trim() === then.year, `the year shown is ${await text(tid('services-year'))}, the API's ${then.year}`);
    // Signed out: the checklist is read only, and a PUT answers 401.
    await logout();
    await visible(tid('services-readonly'), 15000);
    await loaded();
    expect((await page.locator(tid('service-mark')).count()) === 0, 'an anonymous visitor is shown Mark done buttons');
    const anon = await rawFetch('PUT', `/api/networks/${code}/services/${encodeURIComponent(target.requirement)}`, { done_on: date, evidence: 'e2e: anonymous' });
    expect(anon.status === 401, `an anonymous PUT of a service mark answered ${anon.status} (want 401): ${anon.text.slice(0, 200)}`);
    await shot('services-anonymous');
    expect(!problems.page.length, `page errors: ${problems.page.join(' | ')}`);
    return `${code} on ${on}: ${c.overdue.length} overdue, ${c.due.length} due, ${c.done.length} done; ${target.requirement} (${target.status}) marked done ${date}; on ${other_day}: ${then.overdue.length} overdue, ${then.due.length} due, ${then.done.length} done; other network → 403, anonymous → 401`;
  });

  await browser.close();
  console.log(`all flows passed; screenshots in ${shots}`);
  console.log(`${passed} passed, 0 failed`);
}

main().catch(async (e) => {
  console.error(`FAIL ${current}: ${e.stack || e.message}`);
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
});
