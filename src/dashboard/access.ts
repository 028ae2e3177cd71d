// Who may read the dashboard. Bound to a loopback address, anyone on this host may, and only
// by a loopback name in the Host header (a page elsewhere that renames itself to 127.0.0.1 by
// DNS gets nothing). Bound elsewhere, a request must carry the token printed at start: in the
// query (`?token=…`, once: the answer sets a cookie), the `X-Fjd-Token` header, or that cookie.
import crypto from 'node:crypto';
import type http from 'node:http';

export const TOKEN_COOKIE = 'fjd_dashboard';
export const TOKEN_HEADER = 'x-fjd-token';

export function isLoopback(address: string): boolean {
  return address === 'localhost' || address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);
}

export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

function same(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function cookie(request: http.IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

// A Host header that names this host by a loopback name or address, with any port.
function loopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d*$/, '');
  return isLoopback(name);
}

export type Access =
  // Let in; `setCookie` when the token came in the query, to be remembered.
  {ok: true; setCookie: string | null} | {ok: false; status: number; message: string};

// Whether this request may be answered; `token` is null when bound to loopback.
export function checkAccess(request: http.IncomingMessage, query: URLSearchParams, token: string | null): Access {
  if (token === null) {
    if (loopbackHost(request.headers.host)) return {ok: true, setCookie: null};
    return {ok: false, status: 403, message: 'this dashboard answers only to localhost or 127.0.0.1 by name\n'};
  }
  const header = request.headers[TOKEN_HEADER];
  if (same(cookie(request, TOKEN_COOKIE), token) || same(typeof header === 'string' ? header : undefined, token))
    return {ok: true, setCookie: null};
  if (same(query.get('token') ?? undefined, token))
    return {ok: true, setCookie: `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`};
  return {
    ok: false,
    status: 401,
    message: 'this dashboard needs its token: open the address fjd dashboard printed, with ?token=…\n',
  };
}
