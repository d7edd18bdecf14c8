// A throwaway stand-in for the pcn HTTP API, following the contract the web app is written
// against, so the app and its e2e test can be developed before (or without) the Rust server.
// It serves the same paths as `pcn serve`: `/`, `/app/<file>`, `/vendor/leaflet/<file>`, `/api/...`.
//
//   node web/e2e/mock-server.mjs [--port 8092]
//
// Users: alice / alice-pass (commissioner of 15E), bob / bob-pass (network manager of U00001).
// ARRS staff records (PUT /api/networks/{code}/staff) are kept in memory with stand-in claims, and so
// are service marks (PUT /api/networks/{code}/services/{requirement}); profiles are made up per network.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, '..');
const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] || 8092);

// ---------- synthetic data ----------
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

const commissioners = [
  { code: '15E', name: 'NHS Birmingham and Solihull CCG', lon: -2.1, lat: 52.3 },
  { code: '00L', name: 'NHS Northumberland CCG', lon: -2.2, lat: 55.0 },
  { code: '07K', name: 'NHS West Kent CCG', lon: 0.1, lat: 51.1 },
];
// --scale N adds N×N more commissioners on a grid over England (N=10 gives about England's size).
const scale = args.includes('--scale') ? Number(args[args.indexOf('--scale') + 1]) : 0;
for (let a = 0; a < scale; a++) {
  for (let b = 0; b < scale; b++) {
    commissioners.push({ code: `X${String(a * scale + b).padStart(2, '0')}`, name: `NHS Synthetic ${a}-${b} CCG`, lon: -3.2 + (a * 4.2) / scale, lat: 50.6 + (b * 4.4) / scale });
  }
}
const W = scale ? Math.min(0.8, 4.0 / scale) : 0.8, H = scale ? Math.min(0.5, 4.2 / scale) : 0.5, NX = scale ? 4 : 3, NY = scale ? 3 : 2;
const networks = [];
const practices = [];
let ncode = 1, pcode = 1;
for (const c of commissioners) {
  for (let j = 0; j < NY; j++) {
    for (let i = 0; i < NX; i++) {
      const x0 = c.lon + (i * W) / NX, y0 = c.lat + (j * H) / NY;
      const n = {
        code: 'U' + String(ncode++).padStart(5, '0'),
        name: `${c.name.replace(/^NHS | CCG$/g, '')} PCN ${i + 1 + j * NX}`,
        commissioner: c.code,
        box: [x0, y0, x0 + W / NX, y0 + H / NY],
      };
      networks.push(n);
      const k = 3 + Math.floor(rand() * 4);
      for (let p = 0; p < k; p++) {
        practices.push({
          code: 'M' + String(pcode++).padStart(5, '0'),
          name: `The ${['Oak', 'Elm', 'Ash', 'Birch', 'Willow', 'Hazel', 'Rowan'][p % 7]} Surgery ${pcode}`,
          commissioner: c.code,
          network: n.code,
          registered: 3000 + Math.floor(rand() * 9000),
          lon: x0 + 0.03 + rand() * (W / NX - 0.06),
          lat: y0 + 0.03 + rand() * (H / NY - 0.06),
        });
      }
    }
  }
}
// Snapshot 1 is older: two practices sat elsewhere and one network has since closed.
const snapshots = [
  { id: 1, as_of: '2020-01-01', imported_at: '2020-01-10T09:00:00Z' },
  { id: 2, as_of: '2020-04-01', imported_at: '2020-04-10T09:00:00Z' },
];
const older = new Map([[practices[0].code, networks[1].code], [practices[7].code, networks[0].code]]);
const membershipOf = (snap, p) => (snap === 1 && older.has(p.code) ? older.get(p.code) : p.network);
const networksOf = (snap) => (snap === 1 ? [...networks, { code: 'U99999', name: 'Closed PCN', commissioner: '15E', box: [-2.3, 52.2, -2.2, 52.3] }] : networks);

function membersOf(snap, code, moves = []) {
  const moved = new Map(moves.map((m) => [m.practice, m.to]));
  return practices.filter((p) => (moved.has(p.code) ? moved.get(p.code) : membershipOf(snap, p)) === code);
}
function findingsFor(list) {
  const reg = list.reduce((s, p) => s + p.registered, 0);
  const f = [];
  if (list.length === 0) f.push({ rule: 'N-EMPTY', severity: 'error', message: 'The network has no member practices.' });
  else if (reg < 30000) f.push({ rule: 'N-SIZE-MIN', severity: 'error', message: `The network serves ${reg.toLocaleString('en-GB')} patients; the minimum is 30,000 (DES 4.1.1).` });
  if (reg > 50000) f.push({ rule: 'N-SIZE-MAX', severity: 'warning', message: `The network serves ${reg.toLocaleString('en-GB')} patients, over the usual 50,000.` });
  if (list.length === 1) f.push({ rule: 'N-SINGLE', severity: 'info', message: 'A single-practice network.' });
  return f;
}
const payOf = (reg) => ({ core: reg * 150, cd: Math.round(reg * 0.721 * 100) / 100 | 0, care: reg * 27 + 1 });
const sevRank = { error: 0, warning: 1, info: 2 };

// ---------- sessions ----------
const users = {
  alice: { password: 'alice-pass', role: 'commissioner', commissioner: '15E', network: null },
  bob: { password: 'bob-pass', role: 'network', commissioner: null, network: 'U00001' },
};
const sessions = new Map();
const proposals = [];
// ARRS staff records per network, as PUT (the whole list); claims are a stand-in: 100% of cost up to £50,000 per WTE.
const staffRecords = new Map();
const ROLE_KEYS = ['clinical_pharmacist', 'social_prescribing_link_worker', 'physician_associate', 'first_contact_physiotherapist', 'pharmacy_technician', 'care_coordinator', 'health_and_wellbeing_coach', 'dietitian', 'podiatrist', 'occupational_therapist', 'nursing_associate', 'trainee_nursing_associate', 'paramedic', 'mental_health_practitioner', 'advanced_practitioner', 'gp_assistant', 'digital_transformation_lead', 'apprentice_physician_associate', 'enhanced_practice_nurse', 'gp', 'new_to_gp_nurse', 'experienced_gp_nurse', 'consultant_nurse', 'healthcare_support_worker'];
const toPence = (t) => {
  const [w, f = ''] = String(t).split('.');
  return Number(w) * 100 + Number((f + '00').slice(0, 2));
};
function claimOf(r) {
  const cost = toPence(r.salary) + toPence(r.on_costs);
  const cap = Math.round(5000000 * Number(r.wte));
  if (r.baseline) return { claimable_pence: 0, cuts: ['in post on 31 March 2019: part of the additionality baseline'] };
  return cost > cap ? { claimable_pence: cap, cuts: [`above the maximum of £50000 per WTE a year (${r.wte} WTE)`] } : { claimable_pence: cost, cuts: [] };
}

function sessionOf(req) {
  const m = /pcn_session=([a-f0-9]+)/.exec(req.headers.cookie || '');
  return m ? sessions.get(m[1]) : undefined;
}
// The same shape as the server's (pcn_workbench::access::permissions).
const scope = (kind, code) => (kind === 'none' ? { scope: 'none' } : kind === 'all' ? { scope: 'all' } : { scope: kind, code });
function permissionsOf(u) {
  if (!u) return { propose: scope('none'), decide: scope('none'), keep_records: scope('none'), see_staff: scope('none'), explore: false, read_audit: false };
  if (u.role === 'admin') return { propose: scope('all'), decide: scope('all'), keep_records: scope('all'), see_staff: scope('all'), explore: true, read_audit: true };
  if (u.role === 'commissioner') {
    const a = scope('commissioner', u.commissioner);
    return { propose: a, decide: a, keep_records: scope('none'), see_staff: a, explore: true, read_audit: true };
  }
  const n = scope('network', u.network);
  return { propose: n, decide: scope('none'), keep_records: n, see_staff: n, explore: true, read_audit: false };
}
const sessionBody = (s) => ({
  user: s ? { username: s.username, role: s.user.role, commissioner: s.user.commissioner, network: s.user.network } : null,
  csrf_token: s ? s.csrf : null,
  permissions: permissionsOf(s && s.user),
});
const YEARS = ['2019/20', '2020/21', '2021/22', '2022/23', '2023/24', '2024/25', '2025/26'];
const vocabulary = {
  years: YEARS.map((y) => {
    const a = Number(y.slice(0, 4));
    return { year: y, start: `${a}-04-01`, end: `${a + 1}-03-31`, list_size_date: `${a}-01-01` };
  }),
  current_year: '2026/27',
  roles: [
    { role: 'admin', label: 'administrator' },
    { role: 'commissioner', label: 'commissioner' },
    { role: 'network', label: 'network manager' },
  ],
  arrs_roles: ROLE_KEYS,
  service_years: YEARS,
};

// ---------- http ----------
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.svg': 'image/svg+xml', '.json': 'application/json' };
function sendFile(res, file) {
  fs.readFile(file, (err, data) => {
    if (err) return json(res, 404, { code: 'not_found', message: 'no such file' });
    res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
    res.end(data);
  });
}
function json(res, status, body, headers = {}) {
  if (status === 204) {
    res.writeHead(204, headers);
    return res.end();
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
const err = (res, status, code, message) => json(res, status, { code, message });
const page = (arr, q) => {
  const p = Number(q.get('page') || 1), pp = Math.min(500, Number(q.get('per_page') || 100));
  return { total: arr.length, page: p, per_page: pp, items: arr.slice((p - 1) * pp, p * pp) };
};
const box = ([x0, y0, x1, y1]) => [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]];

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString();
  return text ? JSON.parse(text) : {};
}

function whatif(moves, snap = 2) {
  const touched = new Set();
  for (const m of moves) {
    const p = practices.find((x) => x.code === m.practice);
    if (!p) throw Object.assign(new Error(`practice ${m.practice} is not in snapshot ${snap}`), { status: 404, code: 'not_found' });
    touched.add(membershipOf(snap, p));
    if (m.to) touched.add(m.to);
  }
  const side = (list) => {
    const registered = list.reduce((s, p) => s + p.registered, 0);
    const findings = findingsFor(list);
    const pay = payOf(registered);
    return {
      practices: list.length, registered,
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      findings, pay_pence: pay.core + pay.cd + pay.care,
    };
  };
  return {
    micros: 400 + Math.floor(rand() * 900),
    networks: [...touched].filter(Boolean).map((code) => {
      const n = networks.find((x) => x.code === code);
      return { code, name: n ? n.name : null, before: side(membersOf(snap, code)), after: side(membersOf(snap, code, moves)) };
    }),
  };
}

// ---------- profiles and service specifications (stand-ins) ----------
const RUC = ['A1', 'B1', 'C1', 'C2', 'D1', 'D2', 'E1', 'E2'];
const GROUPS = ['AF', 'AST', 'CAN', 'CHD', 'CKD', 'COPD', 'DEM', 'DEP', 'DM', 'EP', 'HF', 'HYP', 'LD', 'MH', 'OB', 'STIA'];
const ENGLAND_PREV = { AF: 2.0, AST: 6.4, CAN: 3.2, CHD: 3.1, CKD: 4.0, COPD: 1.9, DEM: 0.7, DEP: 12.3, DM: 7.1, EP: 0.8, HF: 0.9, HYP: 13.9, LD: 0.5, MH: 0.95, OB: 6.9, STIA: 1.8 };
const hash = (t) => parseInt(crypto.createHash('sha1').update(t).digest('hex').slice(0, 8), 16);
function mixOf(code, n) {
  const w = Array.from({ length: n }, (_, i) => ((hash(`${code}${i}`) % 100) + 1) ** 2);
  const t = w.reduce((a, b) => a + b, 0);
  return w.map((x) => Math.round((x / t) * 10000) / 10000);
}
function profileOf(snap, n) {
  const mem = membersOf(snap, n.code);
  const registered = mem.reduce((a, x) => a + x.registered, 0);
  const net = (k) => mixOf(n.code + k, k === 'imd' ? 10 : 8), comm = (k) => mixOf(n.commissioner + k, k === 'imd' ? 10 : 8), eng = (k) => mixOf(`England${k}`, k === 'imd' ? 10 : 8);
  const mix = (k, classes) => classes.map((c, i) => ({ class: c, patients: Math.round(net(k)[i] * registered), share: net(k)[i], commissioner_share: comm(k)[i], england_share: eng(k)[i] }));
  const rural = (f) => Math.round((f('ruc')[4] + f('ruc')[5] + f('ruc')[6] + f('ruc')[7]) * 10000) / 10000;
  const mean = (f) => Math.round(f('imd').reduce((a, x, i) => a + x * (i + 1), 0) * 100) / 100;
  return {
    network: n.code, name: n.name, commissioner: n.commissioner, practices: mem.length, registered, weighted: Math.round(registered * 1.0312),
    rurality: mix('ruc', RUC), rural_share: [rural(net), rural(comm), rural(eng)],
    deprivation: mix('imd', Array.from({ length: 10 }, (_, i) => String(i + 1))), mean_imd_decile: [mean(net), mean(comm), mean(eng)],
    unclassified_patients: 0,
    prevalence: GROUPS.map((g) => {
      const e = ENGLAND_PREV[g];
      const pc = Math.round(e * (0.6 + (hash(n.code + g) % 90) / 100) * 100) / 100;
      const cc = Math.round(e * (0.85 + (hash(n.commissioner + g) % 30) / 100) * 100) / 100;
      return { group: g, register: Math.round((pc / 100) * registered), list: registered, percent: pc, commissioner_percent: cc, england_percent: e, ratio_to_england: Math.round((pc / e) * 1000) / 1000 };
    }),
  };
}
const SERVICE_YEARS = ['2019/20', '2020/21', '2021/22', '2022/23', '2023/24', '2024/25', '2025/26'];
const SPECS = [
  { id: 'smr', name: 'Structured medication review (mock)', from: '2020-10-01', requirements: [{ id: 'smr.identify_patients', text: 'Identify and prioritise patients for SMRs', deadline: null }, { id: 'smr.capacity', text: 'Set out the SMR capacity', deadline: null }] },
  { id: 'ea', name: 'Enhanced Access (mock)', from: '2022-10-01', requirements: [{ id: 'ea.plan', text: 'Agree an Enhanced Access plan with the commissioner', deadline: '2022-07-31', from: '2022-04-01' }, { id: 'ea.hours', text: 'Appointments within the Network Standard Hours', deadline: null }] },
];
const serviceMarks = new Map();
const yearOfDay = (d) => {
  const y = Number(d.slice(0, 4)), start = Number(d.slice(5, 7)) >= 4 ? y : y - 1;
  return `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
};
function specsIn(year) {
  const end = `${Number(year.slice(0, 4)) + 1}-03-31`, start = `${year.slice(0, 4)}-04-01`;
  return SPECS.filter((sp) => sp.from <= end).map((sp) => ({
    id: sp.id, name: sp.name, kind: 'national', actual_start: { when: sp.from }, end: null, notes: [],
    requirements: sp.requirements.filter((r) => !r.deadline || (r.deadline >= start && r.deadline <= end)).map((r) => ({ ...r, from: r.from || sp.from, confidence: 'V', source: 'mock' })),
  }));
}
function checklistOf(code, on, year) {
  const start = `${year.slice(0, 4)}-04-01`;
  const out = { network: code, on, year, overdue: [], due: [], done: [], ignored: [] };
  const marks = serviceMarks.get(code) || [];
  for (const sp of specsIn(year)) {
    for (const r of sp.requirements) {
      const due = r.deadline || (r.from > start ? r.from : start);
      const counted = marks.filter((k) => k.requirement === r.id && k.done_on <= on && (r.deadline || k.done_on >= start)).sort((a, b) => (a.done_on < b.done_on ? 1 : -1))[0];
      const status = counted ? 'done' : on > due ? 'overdue' : 'due';
      out[status].push({ specification: sp.id, specification_name: sp.name, requirement: r.id, text: r.text, due, status, done_on: counted ? counted.done_on : null, evidence: counted ? counted.evidence : null, marked_by: counted ? counted.marked_by : null, source: 'mock' });
    }
  }
  for (const k of marks) if (k.done_on > on) out.ignored.push({ requirement: k.requirement, done_on: k.done_on, why: 'AfterDate' });
  return out;
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname, q = url.searchParams;
  try {
    if (p === '/') return sendFile(res, path.join(webDir, 'app/index.html'));
    if (p.startsWith('/app/')) return sendFile(res, path.join(webDir, 'app', path.normalize(p.slice(5)).replace(/^(\.\.[/\\])+/, '')));
    if (p.startsWith('/vendor/leaflet/')) return sendFile(res, path.join(webDir, 'vendor/leaflet', path.normalize(p.slice(16)).replace(/^(\.\.[/\\])+/, '')));
    if (!p.startsWith('/api/')) return err(res, 404, 'not_found', `no route for ${p}`);

    const s = sessionOf(req);
    if (req.method !== 'GET') {
      const isLogin = p === '/api/session' && req.method === 'POST';
      if (!isLogin && (!s || req.headers['x-csrf-token'] !== s.csrf)) {
        if (!s) return err(res, 401, 'unauthorized', 'sign in first');
        return err(res, 403, 'csrf', 'missing or wrong X-CSRF-Token header');
      }
    }
    const snap = Number(q.get('snapshot') || 2);

    if (p === '/api/session') {
      if (req.method === 'GET') return json(res, 200, sessionBody(s));
      if (req.method === 'DELETE') {
        if (s) sessions.delete(s.id);
        return json(res, 204, null, { 'set-cookie': 'pcn_session=; Path=/; Max-Age=0' });
      }
      const b = await readBody(req);
      const u = users[b.username];
      if (!u || u.password !== b.password) return err(res, 401, 'unauthorized', 'wrong username or password');
      const id = crypto.randomBytes(16).toString('hex');
      const sess = { id, username: b.username, user: u, csrf: crypto.randomBytes(16).toString('hex') };
      sessions.set(id, sess);
      return json(res, 200, sessionBody(sess), { 'set-cookie': `pcn_session=${id}; Path=/; HttpOnly; SameSite=Strict` });
    }
    if (p === '/api/vocabulary') return json(res, 200, vocabulary);
    if (p === '/api/snapshots') {
      return json(res, 200, snapshots.map((x) => ({ ...x, practices: practices.length, active_practices: practices.length, networks: networksOf(x.id).length, memberships: practices.length })));
    }
    if (p === '/api/commissioners') {
      return json(res, 200, commissioners.map((c) => ({ code: c.code, name: c.name, networks: networks.filter((n) => n.commissioner === c.code).length, practices: practices.filter((x) => x.commissioner === c.code).length })));
    }
    if (p === '/api/icbs') {
      // One mock ICB holding every commissioner.
      const nets = networksOf(snap);
      return json(res, 200, { snapshot: snap, as_of: null, era: 'icb', commissioner_tier: 'sub-ICB location', parent_tier: 'ICB', items: [{ code: 'QMK', name: 'NHS Mock ICB', region: 'Y56', region_name: 'London', sub_icbs: commissioners.map((c) => c.code), networks: nets.length, practices: practices.length, patients: practices.reduce((a, x) => a + x.registered, 0) }] });
    }
    if (p === '/api/geojson') {
      const cf = q.get('commissioner');
      const features = [];
      for (const c of commissioners) {
        if (cf && c.code !== cf) continue;
        features.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: box([c.lon, c.lat, c.lon + W, c.lat + H]) }, properties: { kind: 'commissioner', code: c.code, name: c.name } });
      }
      for (const n of networksOf(snap)) {
        if (cf && n.commissioner !== cf) continue;
        const m = membersOf(snap, n.code);
        features.push({ type: 'Feature', geometry: { type: 'Polygon', coordinates: box(n.box) }, properties: { kind: 'network', code: n.code, name: n.name, commissioner: n.commissioner, practices: m.length, registered_patients: m.reduce((a, x) => a + x.registered, 0) } });
      }
      for (const x of practices) {
        if (cf && x.commissioner !== cf) continue;
        features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [x.lon, x.lat] }, properties: { kind: 'practice', code: x.code, name: x.name, commissioner: x.commissioner, network: membershipOf(snap, x), registered_patients: x.registered } });
      }
      return json(res, 200, { type: 'FeatureCollection', features });
    }
    if (p === '/api/networks') {
      const t = (q.get('q') || '').toLowerCase();
      const all = networks.filter((n) => !t || n.code.toLowerCase().includes(t) || n.name.toLowerCase().includes(t)).map((n) => {
        const m = membersOf(snap, n.code);
        return { code: n.code, name: n.name, commissioner: n.commissioner, practices: m.length, registered: m.reduce((a, x) => a + x.registered, 0) };
      });
      return json(res, 200, { snapshot: snap, ...page(all, q) });
    }
    if (p === '/api/practices') {
      const t = (q.get('q') || '').toLowerCase(), cf = q.get('commissioner');
      const all = practices.filter((x) => (!cf || x.commissioner === cf) && (!t || x.code.toLowerCase().includes(t) || x.name.toLowerCase().includes(t)))
        .map((x) => ({ code: x.code, name: x.name, commissioner: x.commissioner, network: membershipOf(snap, x), registered: x.registered, lon: x.lon, lat: x.lat }));
      return json(res, 200, { snapshot: snap, ...page(all, q) });
    }
    let m;
    if ((m = /^\/api\/networks\/([^/]+)$/.exec(p))) {
      const n = networks.find((x) => x.code === m[1]);
      if (!n) return err(res, 404, 'not_found', `network ${m[1]} is not in snapshot ${snap}`);
      const mem = membersOf(snap, n.code);
      const registered = mem.reduce((a, x) => a + x.registered, 0);
      return json(res, 200, { snapshot: snap, code: n.code, name: n.name, commissioner: n.commissioner, registered, weighted: Math.round(registered * 1.0312), members: mem.map((x) => ({ code: x.code, name: x.name, registered: x.registered })), findings: findingsFor(mem) });
    }
    if ((m = /^\/api\/networks\/([^/]+)\/pay$/.exec(p))) {
      const year = q.get('year');
      if (!/^20\d\d\/\d\d$/.test(year || '')) return err(res, 400, 'bad_request', `year: ${JSON.stringify(year)} is not a financial year like 2020/21`);
      const reg = membersOf(snap, m[1]).reduce((a, x) => a + x.registered, 0);
      const k = Number(year.slice(2, 4)) - 18;
      const pay = payOf(reg);
      const streams = [
        { stream: 'core_pcn_funding', pence: pay.core * k },
        { stream: 'clinical_director', pence: pay.cd * k + 3 },
        { stream: 'care_home_premium', pence: pay.care },
      ].map((x) => ({ ...x, pounds: (x.pence / 100).toFixed(2) }));
      return json(res, 200, { network: m[1], year, list_size_date: `${year.slice(0, 4)}-01-01`, streams, total_pence: streams.reduce((a, x) => a + x.pence, 0), missing: k > 2 ? ['investment_and_impact_fund: no achievement data for the year'] : [] });
    }
    if ((m = /^\/api\/networks\/([^/]+)\/arrs$/.exec(p))) {
      // As pcn serve: claims, staff and headroom only for the network's manager and its commissioner.
      const reg = membersOf(snap, m[1]).reduce((a, x) => a + x.registered, 0);
      const n = networks.find((x) => x.code === m[1]);
      const may = s && ((s.user.role === 'network' && s.user.network === m[1]) || (s.user.role === 'commissioner' && n && s.user.commissioner === n.commissioner));
      const max = Math.round(reg * 1.0312) * 731;
      const staff = (staffRecords.get(m[1]) || []).map((r) => ({ role: r.role, wte: r.wte, start: r.start, end: r.end || null, ...claimOf(r) }));
      const claimed = staff.reduce((a, x) => a + x.claimable_pence, 0);
      return json(res, 200, {
        network: m[1], year: q.get('year'), maximum_pence: max,
        claimed_pence: may ? claimed : null, headroom_pence: may ? max - claimed : null,
        staff: may ? staff : null,
      });
    }
    if ((m = /^\/api\/networks\/([^/]+)\/staff$/.exec(p)) && req.method === 'PUT') {
      // As pcn serve: the network's manager (or an admin) replaces its whole list.
      if (!networks.some((x) => x.code === m[1])) return err(res, 404, 'not_found', `network ${m[1]} is not in snapshot ${snap}`);
      if (!(s.user.role === 'admin' || (s.user.role === 'network' && s.user.network === m[1]))) return err(res, 403, 'forbidden', `only ${m[1]}'s network manager keeps its staff records`);
      const b = await readBody(req);
      if (!Array.isArray(b)) return err(res, 400, 'bad_request', 'the body is a JSON array of posts');
      if (b.length > 500) return err(res, 400, 'bad_request', 'at most 500 posts');
      for (const [i, r] of b.entries()) {
        if (!ROLE_KEYS.includes(r.role)) return err(res, 400, 'bad_request', `post ${i + 1}: role ${JSON.stringify(r.role)} is not an ARRS role`);
        if (!(Number(r.wte) > 0 && Number(r.wte) <= 2)) return err(res, 400, 'bad_request', `post ${i + 1}: wte ${r.wte} is not in (0, 2]`);
        for (const f of ['start', ...(r.end !== undefined ? ['end'] : [])]) if (!/^\d{4}-\d\d-\d\d$/.test(r[f] || '')) return err(res, 400, 'bad_request', `post ${i + 1}: ${f} ${JSON.stringify(r[f])} is not a date (YYYY-MM-DD)`);
        for (const f of ['salary', 'on_costs']) if (!/^\d{1,7}(\.\d{1,2})?$/.test(String(r[f] ?? ''))) return err(res, 400, 'bad_request', `post ${i + 1}: ${f} ${JSON.stringify(r[f])} is not an amount in pounds`);
      }
      staffRecords.set(m[1], b);
      return json(res, 200, { network: m[1], posts: b.length });
    }
    if ((m = /^\/api\/networks\/([^/]+)\/profile$/.exec(p))) {
      // As pcn serve: shares are fractions, percents per cent, each beside the commissioner and England.
      const n = networks.find((x) => x.code === m[1]);
      if (!n) return err(res, 404, 'not_found', `network ${m[1]} is not in snapshot ${snap}`);
      return json(res, 200, { snapshot: snap, qof_registers: true, profile: profileOf(snap, n) });
    }
    if (p === '/api/services') {
      const year = q.get('year') || yearOfDay(new Date().toISOString().slice(0, 10));
      if (!SERVICE_YEARS.includes(year)) return err(res, 404, 'not_found', `the service specifications are known for 2019/20 to 2025/26, not ${year}`);
      return json(res, 200, { year, specifications: specsIn(year), unclear: ['Mock data: nothing here is from a specification.'] });
    }
    if ((m = /^\/api\/networks\/([^/]+)\/services$/.exec(p))) {
      const on = q.get('on') || new Date().toISOString().slice(0, 10);
      if (!/^\d{4}-\d\d-\d\d$/.test(on)) return err(res, 400, 'bad_request', `on ${JSON.stringify(on)} is not a date (YYYY-MM-DD)`);
      const year = yearOfDay(on);
      if (!SERVICE_YEARS.includes(year)) return err(res, 404, 'not_found', `the service specifications are known for 2019/20 to 2025/26, not ${year}`);
      if (!networks.some((x) => x.code === m[1])) return err(res, 404, 'not_found', `network ${m[1]} is not in snapshot ${snap}`);
      return json(res, 200, checklistOf(m[1], on, year));
    }
    if ((m = /^\/api\/networks\/([^/]+)\/services\/([^/]+)$/.exec(p)) && req.method === 'PUT') {
      if (!networks.some((x) => x.code === m[1])) return err(res, 404, 'not_found', `network ${m[1]} is not in snapshot ${snap}`);
      if (!(s.user.role === 'admin' || (s.user.role === 'network' && s.user.network === m[1]))) return err(res, 403, 'forbidden', `only ${m[1]}'s network manager marks its service requirements`);
      const req_ = decodeURIComponent(m[2]);
      if (!SPECS.some((sp) => sp.requirements.some((r) => r.id === req_))) return err(res, 404, 'not_found', `there is no service requirement ${JSON.stringify(req_)}`);
      const b = await readBody(req);
      if (!/^\d{4}-\d\d-\d\d$/.test(b.done_on || '')) return err(res, 400, 'bad_request', `done_on ${JSON.stringify(b.done_on)} is not a date (YYYY-MM-DD)`);
      if (!String(b.evidence || '').trim() || String(b.evidence).length > 2000) return err(res, 400, 'bad_request', 'give the evidence (up to 2,000 characters)');
      const list = serviceMarks.get(m[1]) || [];
      list.push({ requirement: req_, done_on: b.done_on, evidence: String(b.evidence).trim(), marked_by: s.username });
      serviceMarks.set(m[1], list);
      return json(res, 200, { network: m[1], requirement: req_, done_on: b.done_on });
    }
    if (p === '/api/openapi.json') {
      // Only what the web app reads of the document: the ARRS role keys.
      return json(res, 200, { openapi: '3.1.0', info: { title: 'pcn (mock)', version: '0' }, paths: {}, components: { schemas: { StaffPost: { type: 'object', required: ['role', 'wte', 'start', 'salary', 'on_costs'], properties: { role: { type: 'string', enum: ROLE_KEYS } } } } } });
    }
    if (p === '/api/check') {
      const cf = q.get('commissioner');
      const rows = [];
      for (const n of networks) {
        if (cf && n.commissioner !== cf) continue;
        const mem = membersOf(snap, n.code);
        for (const f of findingsFor(mem)) rows.push({ ...f, network: n.code, commissioner: n.commissioner, practices: mem.map((x) => x.code) });
      }
      rows.sort((a, b) => sevRank[a.severity] - sevRank[b.severity]);
      const by_rule = {};
      for (const r of rows) by_rule[r.rule] = (by_rule[r.rule] || 0) + 1;
      const pg = page(rows, q);
      return json(res, 200, { snapshot: snap, errors: rows.filter((r) => r.severity === 'error').length, warnings: rows.filter((r) => r.severity === 'warning').length, infos: rows.filter((r) => r.severity === 'info').length, by_rule, total: pg.total, page: pg.page, per_page: pg.per_page, findings: pg.items });
    }
    if (p === '/api/whatif' && req.method === 'POST') {
      const b = await readBody(req);
      return json(res, 200, whatif(b.moves || [], b.snapshot || 2));
    }
    if (p === '/api/proposals') {
      if (req.method === 'GET') {
        const st = q.get('status');
        return json(res, 200, { items: proposals.filter((x) => !st || x.status === st) });
      }
      if (!s) return err(res, 401, 'unauthorized', 'sign in first');
      const b = await readBody(req);
      const pr = practices.find((x) => x.code === b.practice);
      const net = networks.find((x) => x.code === b.network);
      if (!pr || !net) return err(res, 404, 'not_found', `no such practice or network`);
      const from = membershipOf(2, pr);
      if (s.user.role === 'network' && s.user.network !== net.code && s.user.network !== from) return err(res, 403, 'forbidden', `a network manager of ${s.user.network} may only propose for that network`);
      if (s.user.role === 'commissioner' && s.user.commissioner !== net.commissioner) return err(res, 403, 'forbidden', `${net.code} is outside ${s.user.commissioner}`);
      const w = whatif([{ practice: pr.code, to: net.code }]);
      const errors = w.networks.flatMap((n) => n.after.findings.filter((f) => f.severity === 'error').map((f) => `${n.code}: ${f.message}`));
      const warnings = w.networks.flatMap((n) => n.after.findings.filter((f) => f.severity === 'warning').map((f) => ({ rule: f.rule, message: `${n.code}: ${f.message}` })));
      const item = { id: proposals.length + 1, action: `join ${pr.code} → ${net.code} (from ${from})`, network: net.code, effective: b.effective, status: 'open', proposed_by: s.username, proposed_at: new Date().toISOString(), reason: b.reason || '', errors, decided_by: null, decision_reason: null, proposal: { proposal: b.kind, network: b.network, practice: b.practice } };
      proposals.push(item);
      return json(res, 201, { id: item.id, status: 'open', findings: { errors, warnings } });
    }
    if ((m = /^\/api\/proposals\/(\d+)\/decision$/.exec(p)) && req.method === 'POST') {
      if (s.user.role !== 'commissioner') return err(res, 403, 'forbidden', 'only a commissioner may decide on proposals');
      const item = proposals.find((x) => x.id === Number(m[1]));
      if (!item) return err(res, 404, 'not_found', `no proposal ${m[1]}`);
      if (item.status !== 'open') return err(res, 409, 'conflict', `proposal ${item.id} is already ${item.status}`);
      const b = await readBody(req);
      if (b.approve && item.errors.length && !b.accept_findings) return err(res, 409, 'conflict', `the rules check finds new errors (approve accepting the findings to record them and go ahead): ${item.errors.join('; ')}`);
      item.status = b.approve ? 'approved' : 'rejected';
      item.decided_by = s.username;
      item.decision_reason = b.reason;
      if (b.approve) practices.find((x) => x.code === item.proposal.practice).network = item.proposal.network;
      return json(res, 200, { id: item.id, status: item.status });
    }
    if (p === '/api/repair' && req.method === 'POST') {
      const b = await readBody(req);
      const nets = networks.filter((n) => n.commissioner === b.commissioner);
      if (!nets.length) return err(res, 404, 'not_found', `commissioner ${b.commissioner} has no networks`);
      const small = nets.filter((n) => findingsFor(membersOf(2, n.code)).some((f) => f.severity === 'error'));
      const moves = [];
      for (const n of small.slice(0, 2)) {
        const target = nets.find((x) => x !== n && !small.includes(x)) || nets.find((x) => x !== n);
        for (const pr of membersOf(2, n.code).slice(0, 2)) moves.push({ practice: pr.code, name: pr.name, from: n.code, to: target.code, lon: pr.lon, lat: pr.lat });
      }
      await new Promise((r) => setTimeout(r, 300));
      return json(res, 200, { commissioner: b.commissioner, before: { errors: small.length }, after: { errors: Math.max(0, small.length - 2) }, moves });
    }
    if (p === '/api/compare' || p === '/api/compare/register') {
      // As pcn serve: snapshots at /api/compare?a=&b=, the register on two dates at /api/compare/register?a_date=&b_date=.
      const a = p === '/api/compare' ? q.get('a') : q.get('a_date'), b = p === '/api/compare' ? q.get('b') : q.get('b_date');
      if (!a || !b) return err(res, 400, 'bad_request', p === '/api/compare' ? 'give a and b (snapshot ids)' : 'give a_date and b_date (YYYY-MM-DD)');
      return json(res, 200, {
        a, b,
        moves: [...older].map(([pc, from]) => ({ practice: pc, from, to: practices.find((x) => x.code === pc).network })),
        opened: [], closed: ['U99999'],
      });
    }
    return err(res, 404, 'not_found', `no route for ${req.method} ${p}`);
  } catch (e) {
    return err(res, e.status || 500, e.code || 'internal', e.message);
  }
});
server.listen(port, '127.0.0.1', () => console.log(`mock pcn API on http://127.0.0.1:${port}`));
