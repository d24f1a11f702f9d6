/**
 * The names this server answers to, checked on every request's Host header.
 * DNS rebinding: a page of another site whose name an attacker then points
 * at 127.0.0.1 (or at a team's server) is same-origin with the server, so
 * neither the Origin check nor CORS stops it reading and writing; only the
 * name it used, which the browser puts in Host, gives it away.
 *
 * Local mode answers its loopback names only. Shared mode also answers the
 * host of BETTER_AUTH_URL and the names in NETLOOM_ALLOWED_HOSTS (loopback
 * names stay allowed: a browser sends them only to its own machine, and a
 * reverse proxy on the same machine may forward them).
 */
import { serverMode, type Env } from './mode';

/** The names a browser resolves to this machine by itself, never through DNS. */
export const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** A Host header's name, lower-case, without port or trailing dot; undefined when it is not `name[:port]`. */
export function hostName(host: string): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]{1,5})?$/i.exec(host.trim());
  return match?.[1]!.toLowerCase().replace(/\.$/, '');
}

/** The names NETLOOM_ALLOWED_HOSTS lists (comma- or space-separated; a port or a scheme is ignored). */
function listedNames(list: string | undefined): string[] {
  return (list ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => hostName(entry.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '')) ?? entry.toLowerCase());
}

function urlName(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return hostName(new URL(url).host);
  } catch {
    return undefined;
  }
}

/** Every name this server answers to, in this mode and environment. */
export function allowedHostNames(env: Env = process.env): string[] {
  if (serverMode(env) === 'local') return [...LOOPBACK_NAMES];
  const auth = urlName(env.BETTER_AUTH_URL);
  return [...new Set([...LOOPBACK_NAMES, ...(auth ? [auth] : []), ...listedNames(env.NETLOOM_ALLOWED_HOSTS)])];
}

/**
 * Why a request's Host is not one of this server's names (undefined when it
 * is): the refusal names the host and how to allow it.
 */
export function foreignHost(host: string | null, env: Env = process.env): string | undefined {
  const allowed = allowedHostNames(env);
  const name = host === null ? undefined : hostName(host);
  if (name !== undefined && allowed.includes(name)) return undefined;
  const shown = host === null ? 'no Host header' : `the host ${JSON.stringify(host)}`;
  const refused = `Refused: this server does not answer to ${shown} (a page of another site can reach a server under its own name: DNS rebinding).`;
  if (serverMode(env) === 'local') {
    return `${refused} Local mode answers ${LOOPBACK_NAMES.join(', ')} only: open it at http://localhost or http://127.0.0.1 with its port. To serve other names, run in shared mode and list them in NETLOOM_ALLOWED_HOSTS (see the README).`;
  }
  const wanted = name ?? 'its name';
  return `${refused} It answers ${allowed.join(', ')}: add ${wanted} to NETLOOM_ALLOWED_HOSTS (comma-separated names), or set BETTER_AUTH_URL to the address users reach it by.`;
}
