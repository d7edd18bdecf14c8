// Signing in and out. The session cookie is HttpOnly; the CSRF token from the session answer goes on
// every request that changes something.

import * as api from './api.js';
import { state, emit, showError, clearError, roleLabel } from './state.js';

function render() {
  const u = state.session.user;
  const form = document.getElementById('login-form');
  const box = document.getElementById('user-box');
  form.hidden = !!u;
  box.hidden = !u;
  if (u) {
    document.getElementById('user-name').textContent = u.username;
    const where = u.role === 'commissioner' ? u.commissioner : u.role === 'network' ? u.network : null;
    const label = roleLabel(u.role);
    document.getElementById('user-role').textContent = where ? `${label} · ${where}` : label;
    box.dataset.role = u.role;
  }
}

function apply(session) {
  state.session = { user: session?.user ?? null, csrf_token: session?.csrf_token ?? null, permissions: session?.permissions ?? null };
  api.setCsrf(state.session.csrf_token);
  render();
  emit('session-changed', state.session);
}

export async function loadSession() {
  try {
    apply(await api.get('/api/session'));
  } catch (e) {
    apply(null);
    showError(e, 'Session');
  }
}

export function initAuth() {
  const form = document.getElementById('login-form');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const username = document.getElementById('login-user').value.trim();
    const password = document.getElementById('login-password').value;
    const btn = document.getElementById('login-submit');
    btn.disabled = true;
    try {
      const s = await api.post('/api/session', { username, password });
      document.getElementById('login-password').value = '';
      clearError();
      apply(s);
    } catch (err) {
      const msg =
        err.code === 'unauthorized' ? Object.assign(err, { message: err.message || 'Wrong username or password.' })
        : err.code === 'rate_limited' ? Object.assign(err, { message: err.message || 'Too many attempts: wait a little and try again.' })
        : err;
      showError(msg, 'Sign in');
    } finally {
      btn.disabled = false;
    }
  });
  document.getElementById('logout').addEventListener('click', async () => {
    try {
      await api.del('/api/session');
    } catch (e) {
      showError(e, 'Sign out');
    }
    apply(null);
  });
}
