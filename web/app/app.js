// The page: wires the map, the search, the panels and the session together.

import * as api from './api.js';
import { h, clear, num } from './fmt.js';
import { state, on, emit, showError, clearError, canEdit } from './state.js';
import { MapView } from './map.js';
import { showNetwork } from './panel.js';
import { initSearch } from './search.js';
import { initFindings, setFindingsCommissioner } from './findings.js';
import { initEdit, refreshEdit, pickPractice, setTarget } from './edit.js';
import { initProposals, loadProposals } from './proposals.js';
import { initCompare, refreshCompare, showCompareView, geojson } from './compare.js';
import { initAuth, loadSession } from './auth.js';

let mainMap;
let activeTab = 'network';
let compared = false;

function selectTab(name) {
  activeTab = name;
  for (const b of document.querySelectorAll('.tabs > [role=tab]')) {
    const on = b.dataset.tab === name;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    document.getElementById(b.getAttribute('aria-controls')).hidden = !on;
  }
  document.body.dataset.tab = name;
  showCompareView(name === 'compare' && compared);
  if (name !== 'compare') mainMap.invalidate();
  if (name === 'proposals') loadProposals();
}

function initTabs() {
  const tabs = [...document.querySelectorAll('.tabs > [role=tab]')];
  for (const b of tabs) {
    b.addEventListener('click', () => selectTab(b.dataset.tab));
    b.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const visible = tabs.filter((t) => !t.hidden);
      const i = visible.indexOf(b) + (e.key === 'ArrowRight' ? 1 : -1);
      const next = visible[(i + visible.length) % visible.length];
      next.focus();
      selectTab(next.dataset.tab);
    });
  }
  document.getElementById('compare-run').addEventListener('click', () => {
    compared = true;
  });
}

/** The commissioner hierarchy of the snapshot shown (the ICB picker). */
async function loadIcbs() {
  try {
    state.icbs = await api.get('/api/icbs', { snapshot: state.snapshot });
  } catch (e) {
    showError(e, 'ICBs');
  }
}

async function loadMap() {
  const status = document.getElementById('map-status');
  status.textContent = 'Loading the map…';
  status.classList.remove('bad');
  const t0 = performance.now();
  try {
    const fc = await geojson(state.snapshot);
    mainMap.load(fc);
    const s = state.snapshots.find((x) => x.id === state.snapshot);
    status.textContent = `${num(mainMap.commissioners.size)} commissioners · ${num(mainMap.networks.size)} networks · ${num(mainMap.practices.size)} practices${s ? ` · snapshot ${s.as_of}` : ''} · drawn in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  } catch (e) {
    status.textContent = `The map could not be loaded: ${e.message}`;
    status.classList.add('bad');
    showError(e, 'Map');
  }
}

function openNetwork({ code, zoom = true, practice = null }) {
  if (code !== state.network) mainMap.homes.clearLayers(); // one network's care homes at a time
  if (!code) return;
  if (activeTab !== 'network' && activeTab !== 'findings') selectTab('network');
  mainMap.focusNetwork(code, { zoom });
  showNetwork(code, { practice });
}

function onMapPractice(p) {
  state.practice = p;
  if (activeTab === 'edit') {
    pickPractice(p);
    return;
  }
  selectTab('network');
  mainMap.focusNetwork(p.network, { zoom: false });
  mainMap.focusPractices([p.code], { zoom: false, keep: true });
  if (p.network) showNetwork(p.network, { practice: p.code });
  else showError(new Error(`${p.code} ${p.name || ''} is in no network.`));
}

function onMapNetwork(n) {
  if (activeTab === 'edit') {
    setTarget(n.code);
    return;
  }
  openNetwork({ code: n.code, zoom: false });
}

function applySession() {
  const editTab = document.getElementById('tab-edit');
  editTab.hidden = !canEdit();
  if (!canEdit() && activeTab === 'edit') selectTab('network');
  document.body.dataset.role = state.session.user ? state.session.user.role : 'anonymous';
  refreshEdit();
  if (activeTab === 'proposals') loadProposals();
  if (state.network && activeTab === 'network') showNetwork(state.network);
  const u = state.session.user;
  if (u && u.commissioner) setFindingsCommissioner(u.commissioner);
}

async function boot() {
  document.getElementById('error-close').addEventListener('click', clearError);
  mainMap = new MapView(document.getElementById('map'), { onPractice: onMapPractice, onNetwork: onMapNetwork, label: 'Map of networks and practices' });
  window.pcn = {
    map: mainMap,
    pointOf: (kind, code) => mainMap.pointOf(kind, code),
    state,
  };
  initTabs();
  initAuth();
  initSearch();
  initFindings();
  initEdit(mainMap);
  initProposals();
  initCompare();

  on('open-network', openNetwork);
  on('open-practice', (p) => {
    state.practice = p;
    const onMap = mainMap.practices.get(p.code);
    if (activeTab === 'edit') {
      pickPractice(p);
      if (onMap) mainMap.focusPractices([p.code]);
      return;
    }
    selectTab('network');
    // The practice in its network: the network outlined and in view, the practice ringed.
    const net = p.network && mainMap.networks.has(p.network);
    if (net) mainMap.focusNetwork(p.network);
    if (onMap) mainMap.focusPractices([p.code], { keep: !!net, zoom: !net });
    else if (p.lat != null && p.lon != null) mainMap.focusPoint(p.lat, p.lon);
    if (p.network) showNetwork(p.network, { practice: p.code });
    else showError(new Error(`${p.code} ${p.name || ''} is in no network.`));
  });
  on('focus-practices', (codes) => mainMap.focusPractices(codes, { keep: true }));
  on('focus-network', (code) => mainMap.focusNetwork(code));
  on('show-care-homes', ({ network, homes }) => mainMap.showCareHomes(network, homes));
  on('edit-network', ({ practice }) => {
    selectTab('edit');
    if (practice && mainMap.practices.get(practice)) pickPractice(mainMap.practices.get(practice).props);
  });
  on('proposals-changed', () => {
    if (activeTab === 'proposals') loadProposals();
    document.getElementById('tab-proposals').classList.add('pulse');
    setTimeout(() => document.getElementById('tab-proposals').classList.remove('pulse'), 1500);
  });
  on('session-changed', applySession);
  on('icb-changed', (code) => mainMap.showIcb(code));

  const sel = document.getElementById('snapshot-select');
  sel.addEventListener('change', async () => {
    state.snapshot = Number(sel.value);
    await loadIcbs();
    await loadMap();
    mainMap.showIcb(document.getElementById('findings-icb').value || null);
    const fc = document.getElementById('findings-commissioner').value;
    setFindingsCommissioner(fc);
    if (state.network) showNetwork(state.network);
  });

  try {
    state.vocabulary = await api.get('/api/vocabulary');
  } catch (e) {
    showError(e, 'Vocabulary');
  }
  const [snaps] = await Promise.all([
    api.get('/api/snapshots').catch((e) => {
      showError(e, 'Snapshots');
      return [];
    }),
    loadSession(),
  ]);
  state.snapshots = snaps;
  state.snapshot = snaps.length ? snaps[snaps.length - 1].id : null;
  clear(sel, snaps.map((s) => h('option', { value: s.id, selected: s.id === state.snapshot }, `${s.as_of} (#${s.id})`)));
  if (!snaps.length) {
    document.getElementById('map-status').textContent = 'No snapshot has been imported yet: run `pcn import` or `pcn demo`.';
    return;
  }
  try {
    state.commissioners = await api.get('/api/commissioners', { snapshot: state.snapshot });
  } catch (e) {
    showError(e, 'Commissioners');
  }
  await loadIcbs();
  refreshCompare();
  await loadMap();
  refreshEdit();
  const u = state.session.user;
  setFindingsCommissioner((u && u.commissioner) || (state.commissioners[0] && state.commissioners[0].code));
  document.body.dataset.ready = 'true';
}

boot().catch((e) => showError(e, 'Start-up'));
