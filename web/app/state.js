// What the whole page shares: the session, the snapshot shown, the year, the selected network and
// practice, and a tiny event bus so the panels follow each other without knowing each other.

export const state = {
  session: { user: null, csrf_token: null },
  snapshots: [],
  snapshot: null, // id of the snapshot the main map shows
  commissioners: [],
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

export function canEdit() {
  const u = state.session.user;
  return !!u && (u.role === 'commissioner' || u.role === 'network');
}
export function isCommissioner() {
  const u = state.session.user;
  return !!u && u.role === 'commissioner';
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
