/**
 * Whether a request carries a session cookie this server issued, from its
 * headers alone: Better Auth signs the session token with BETTER_AUTH_SECRET
 * (`token.base64(HMAC-SHA256(secret, token))`, URI-encoded), so a cookie
 * nobody signed is refused without reading the body or the database. The
 * route still asks Better Auth for the session (it may have ended).
 */
const NAMES = ['better-auth.session_token', '__Secure-better-auth.session_token'];

/** The session cookie's value, decoded, if the Cookie header has one. */
export function sessionCookie(headers: Headers): string | undefined {
  for (const part of (headers.get('Cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 0 || !NAMES.includes(part.slice(0, at).trim())) continue;
    try {
      return decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const keys = new Map<string, Promise<CryptoKey>>();
const keyFor = (secret: string) => {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    keys.set(secret, key);
  }
  return key;
};

export async function hasSignedSession(headers: Headers, secret: string): Promise<boolean> {
  const value = sessionCookie(headers);
  const dot = value?.lastIndexOf('.') ?? -1;
  if (!value || dot < 1) return false;
  const signature = value.slice(dot + 1);
  // Better Auth's own check: a SHA-256 HMAC is 44 characters of base64.
  if (signature.length !== 44 || !signature.endsWith('=')) return false;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0));
  } catch {
    return false;
  }
  return crypto.subtle.verify('HMAC', await keyFor(secret), bytes, new TextEncoder().encode(value.slice(0, dot)));
}
