// The pcn HTTP API: JSON in and out, errors as ApiError carrying the server's {code, message},
// and the CSRF token sent on every request that is not a GET.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

let csrfToken = null;
export function setCsrf(token) {
  csrfToken = token || null;
}

function url(path, params) {
  const u = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== null && v !== undefined && v !== '') u.searchParams.set(k, v);
  }
  return u.pathname + u.search;
}

async function decode(res, method, path) {
  if (res.status === 204) return null;
  const text = await res.text();
  let body = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const code = body && body.code ? body.code : `http_${res.status}`;
    const message = body && body.message ? body.message : `${method} ${path} answered ${res.status} ${res.statusText}`;
    throw new ApiError(res.status, code, message);
  }
  if (body === null && text) throw new ApiError(res.status, 'bad_json', `${method} ${path} did not answer JSON`);
  return body;
}

export async function get(path, params) {
  const p = url(path, params);
  let res;
  try {
    res = await fetch(p, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network', `The server could not be reached (${e.message}).`);
  }
  return decode(res, 'GET', p);
}

export async function send(method, path, body, params) {
  const p = url(path, params);
  const headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(p, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', `The server could not be reached (${e.message}).`);
  }
  return decode(res, method, p);
}

export const post = (path, body, params) => send('POST', path, body, params);
export const put = (path, body, params) => send('PUT', path, body, params);
export const del = (path, params) => send('DELETE', path, undefined, params);
