// Comparison: two snapshots (or the register on two dates) side by side on two synced maps, with the
// practices that moved and the networks that opened or closed.

import * as api from './api.js';
import { h, clear, num } from './fmt.js';
import { state, showError } from './state.js';
import { MapView } from './map.js';
import { fillCommissionerSelect } from './findings.js';

let maps = null;
let seq = 0;
const geoCache = new Map();

export async function geojson(snapshot, commissioner) {
  const k = `${snapshot ?? ''}|${commissioner ?? ''}`;
  if (!geoCache.has(k)) {
    const p = api.get('/api/geojson', { snapshot, commissioner });
    geoCache.set(k, p);
    p.catch(() => geoCache.delete(k));
  }
  return geoCache.get(k);
}

export function initCompare() {
  const by = () => document.querySelector('input[name="compare-by"]:checked').value;
  for (const r of document.querySelectorAll('input[name="compare-by"]')) {
    r.addEventListener('change', () => {
      document.getElementById('compare-snapshots').hidden = by() !== 'snapshots';
      document.getElementById('compare-dates').hidden = by() !== 'dates';
    });
  }
  document.getElementById('compare-run').addEventListener('click', () => runCompare(by()));
}

/** Fill the pickers from the snapshots and commissioners. */
export function refreshCompare() {
  const a = document.getElementById('compare-a');
  const b = document.getElementById('compare-b');
  const opts = (sel) =>
    state.snapshots.map((s) => h('option', { value: s.id, selected: sel === s.id }, `#${s.id} · ${s.as_of} (${num(s.networks)} networks)`));
  const n = state.snapshots.length;
  clear(a, opts(n > 1 ? state.snapshots[n - 2].id : state.snapshots[0]?.id));
  clear(b, opts(state.snapshots[n - 1]?.id));
  const ad = document.getElementById('compare-a-date');
  const bd = document.getElementById('compare-b-date');
  if (!ad.value && n) ad.value = state.snapshots[Math.max(0, n - 2)].as_of;
  if (!bd.value && n) bd.value = state.snapshots[n - 1].as_of;
  fillCommissionerSelect(document.getElementById('compare-commissioner'), { includeAll: true });
}

export function showCompareView(show) {
  document.getElementById('compare-wrap').hidden = !show;
  document.getElementById('map-wrap').hidden = show;
  if (show && maps) {
    maps.a.invalidate();
    maps.b.invalidate();
  }
}

function ensureMaps() {
  if (maps) return maps;
  maps = {
    a: new MapView(document.getElementById('compare-map-a'), { label: 'Map A' }),
    b: new MapView(document.getElementById('compare-map-b'), { label: 'Map B' }),
  };
  MapView.sync(maps.a, maps.b);
  return maps;
}

async function runCompare(by) {
  const result = document.getElementById('compare-result');
  const commissioner = document.getElementById('compare-commissioner').value || null;
  const mine = ++seq;
  let params, snapA, snapB, titleA, titleB;
  let route = '/api/compare';
  if (by === 'snapshots') {
    snapA = Number(document.getElementById('compare-a').value);
    snapB = Number(document.getElementById('compare-b').value);
    params = { a: snapA, b: snapB };
    const s = (id) => state.snapshots.find((x) => x.id === id);
    titleA = `A · snapshot #${snapA} (${s(snapA)?.as_of ?? '?'})`;
    titleB = `B · snapshot #${snapB} (${s(snapB)?.as_of ?? '?'})`;
  } else {
    const ad = document.getElementById('compare-a-date').value;
    const bd = document.getElementById('compare-b-date').value;
    if (!ad || !bd) {
      showError(new Error('Choose both dates.'));
      return;
    }
    params = { a_date: ad, b_date: bd };
    route = '/api/compare/register';
    // The register has no geometry of its own: both maps draw the latest snapshot, the moves show the difference.
    snapA = snapB = state.snapshot;
    titleA = `A · register on ${ad}`;
    titleB = `B · register on ${bd}`;
  }
  result.dataset.ready = 'false';
  clear(result, h('p', { class: 'hint' }, 'Comparing…'));
  showCompareView(true);
  const m = ensureMaps();
  document.getElementById('compare-a-title').textContent = titleA;
  document.getElementById('compare-b-title').textContent = titleB;
  let cmp, ga, gb;
  try {
    [cmp, ga, gb] = await Promise.all([api.get(route, params), geojson(snapA, commissioner), geojson(snapB, commissioner)]);
  } catch (e) {
    if (mine !== seq) return;
    clear(result, h('p', { class: 'error-inline', 'data-testid': 'compare-error' }, e.message));
    showError(e, 'Comparison');
    return;
  }
  if (mine !== seq) return;
  m.a.invalidate();
  m.b.invalidate();
  m.a.load(ga);
  m.b.load(gb);
  m.b.map.setView(m.a.map.getCenter(), m.a.map.getZoom(), { animate: false });
  const allMoves = cmp.moves || [];
  // The API compares the whole country; with an area chosen, keep what touches it (its practices or its networks).
  const inArea = (code) => m.a.practices.has(code) || m.b.practices.has(code);
  const netInArea = (code) => !!code && (m.a.networks.has(code) || m.b.networks.has(code));
  const moves = commissioner ? allMoves.filter((x) => inArea(x.practice) || netInArea(x.from) || netInArea(x.to)) : allMoves;
  const opened = commissioner ? (cmp.opened || []).filter(netInArea) : cmp.opened || [];
  const closed = commissioner ? (cmp.closed || []).filter(netInArea) : cmp.closed || [];
  cmp.opened = opened;
  cmp.closed = closed;
  const moved = moves.map((x) => x.practice);
  const LIMIT = 300;
  m.a.focusPractices(moved, { zoom: false, colour: '#b91c1c' });
  m.b.drawMoves(moves.map((x) => ({ practice: x.practice, from: x.from, to: x.to })), { zoom: false });
  for (const c of cmp.closed || []) if (m.a.networks.has(c)) m.a.focusNetwork(c, { zoom: false, keep: true });
  for (const c of cmp.opened || []) if (m.b.networks.has(c)) m.b.focusNetwork(c, { zoom: false, keep: true });
  // Zoom to where things changed (the other map follows).
  if (moved.length) m.a.focusPractices(moved, { zoom: true, keep: true, colour: '#b91c1c', maxZoom: 10 });
  const show = (codes) => {
    m.a.focusPractices(codes, { colour: '#b91c1c', keep: true });
  };
  clear(
    result,
    h(
      'p',
      { 'data-testid': 'compare-summary' },
      commissioner ? `In ${commissioner}: ` : '',
      `${num(moves.length)} practice${moves.length === 1 ? '' : 's'} moved · ${num((cmp.opened || []).length)} network${(cmp.opened || []).length === 1 ? '' : 's'} opened · ${num((cmp.closed || []).length)} closed`,
      commissioner && allMoves.length !== moves.length ? ` (all of England: ${num(allMoves.length)} moved)` : '',
    ),
    by === 'dates' ? h('p', { class: 'muted small' }, `The register has no shapes of its own: both maps draw snapshot #${state.snapshot}'s areas; the arrows on B show the moves.`) : null,
    h('h3', {}, 'Practices that moved'),
    moves.length
      ? h(
          'table',
          { class: 'moves-table', 'data-testid': 'compare-moves' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Practice'), h('th', {}, 'From (A)'), h('th', {}, 'To (B)'))),
          h(
            'tbody',
            {},
            moves.slice(0, LIMIT).map((x) =>
              h(
                'tr',
                { 'data-practice': x.practice },
                h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => show([x.practice]) }, x.practice)),
                h('td', {}, h('code', {}, x.from || '—')),
                h('td', {}, h('code', {}, x.to || '—')),
              ),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'No practice changed network.'),
    moves.length > LIMIT ? h('p', { class: 'muted small' }, `The first ${LIMIT} of ${num(moves.length)}: choose an area to see fewer.`) : null,
    h('h3', {}, 'Networks opened'),
    (cmp.opened || []).length ? h('p', { 'data-testid': 'compare-opened' }, cmp.opened.map((c) => h('code', { class: 'chip' }, c))) : h('p', { class: 'muted' }, 'None.'),
    h('h3', {}, 'Networks closed'),
    (cmp.closed || []).length ? h('p', { 'data-testid': 'compare-closed' }, cmp.closed.map((c) => h('code', { class: 'chip' }, c))) : h('p', { class: 'muted' }, 'None.'),
  );
  result.dataset.ready = 'true';
}
