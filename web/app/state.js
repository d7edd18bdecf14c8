// What the whole page shares: the session, the snapshot shown, the year, the selected network and
// practice, and a tiny event bus so the panels follow each other without knowing each other.

export const state = {
  session: { user: null, csrf_token: null, permissions: null },
  // The server's words (GET /api/vocabulary): years with rates, roles, ARRS roles. The app copies none.
  vocabulary: { years: [], current_year: null, roles: [], arrs_roles: [], service_years: [] },
  snapshots: [],
  snapshot: null, // id of the snapshot the main map shows
  commissioners: [],
  // GET /api/icbs: {items: [{code, name, sub_icbs, networks, ...}], parent_tier: 'ICB' | 'STP', commissioner_tier}.
  icbs: { items: [], parent_tier: 'ICB', commissioner_tier: 'sub-ICB location' },
  year: '2020/21',
  network: null, // code of the network in the panel
  practice: null, // {code, name, network, commissioner, registered, lon, lat} picked on the map or in search
};

const listeners = new Map();
export function on(event, fn) {
  if (!listeners.has(event)) listeners.set(event, []);
  listeners.get(event).push(fn);
}
export function emit(event, detail) {
  for (const fn of listeners.get(event) || []) {
    try {
      fn(detail);
    } catch (e) {
      showError(e);
    }
  }
}

// What the caller may do comes from the server (GET /api/session → permissions); every write is checked
// there again. A scope is {scope: 'none' | 'all' | 'commissioner' | 'network', code}.
function scope(name) {
  return (state.session.permissions && state.session.permissions[name]) || { scope: 'none' };
}
export function canEdit() {
  return scope('propose').scope !== 'none';
}
export function isCommissioner() {
  return scope('decide').scope !== 'none';
}
/** May the caller decide (agree to) a proposal needing these commissioners, who have not all agreed? */
export function mayDecide(approvers, agreed) {
  const d = scope('decide');
  if (d.scope === 'all') return true;
  return d.scope === 'commissioner' && approvers.includes(d.code) && !agreed.includes(d.code);
}
/** May the caller keep this network's own records (staff, service checklist)? */
export function mayKeepRecords(code) {
  const k = scope('keep_records');
  return k.scope === 'all' || (k.scope === 'network' && k.code === code);
}
/** The years with rate tables, oldest first. */
export function years() {
  return state.vocabulary.years.map((y) => y.year);
}
/** The years the service specifications are known for, oldest first. */
export function serviceYears() {
  return state.vocabulary.service_years || [];
}
/** What people call a role. */
export function roleLabel(role) {
  return (state.vocabulary.roles.find((r) => r.role === role) || {}).label || role;
}

/** Show an error to the person: the API's message, never silence. */
export function showError(e, context) {
  console.warn(context || 'error', e);
  const banner = document.getElementById('error-banner');
  const text = document.getElementById('error-text');
  const msg = e && e.message ? e.message : String(e);
  text.textContent = context ? `${context}: ${msg}` : msg;
  banner.hidden = false;
  banner.dataset.code = (e && e.code) || 'error';
}

export function clearError() {
  document.getElementById('error-banner').hidden = true;
}

/** Run an async action, showing its error if it fails; returns its result or undefined. */
export async function attempt(fn, context) {
  try {
    return await fn();
  } catch (e) {
    showError(e, context);
    return undefined;
  }
}
