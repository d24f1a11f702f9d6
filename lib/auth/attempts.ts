/**
 * Password checks, limited by the client's address and by the account, on
 * every path to one: the sign-in page's action (which calls Better Auth on
 * the server, where its own rate limit does not apply) and Better Auth's
 * endpoints that take a password. An attempt is counted before the password
 * is checked, so that attempts sent at once are counted too; a sign-in that
 * succeeds takes its attempt back. Past a limit the attempt is refused and
 * no password is checked. The address is the one the gate wrote into
 * X-Forwarded-For (lib/auth/client-address.ts), which a client cannot
 * choose; an account is counted whether it exists or not, so a refusal says
 * nothing about which emails have one.
 */
export type AttemptKind = 'password' | 'sign-up';

interface Limit {
  max: number;
  windowMs: number;
}

/** How one kind of attempt is limited, and how its refusal reads. */
interface AttemptPolicy {
  address: Limit;
  account: Limit;
  /** What is counted, and where, as a refusal says it. */
  action: string;
  accountWhere: string;
  /** A success gives its attempt back (people who know their password are never held up by it). */
  refundSuccess: boolean;
}

export const ATTEMPT_LIMITS: Record<AttemptKind, AttemptPolicy> = {
  /** Sign-in, and any check of the current password: 10 a minute from one address, 10 per 15 minutes at one account. */
  password: { address: { max: 10, windowMs: 60_000 }, account: { max: 10, windowMs: 15 * 60_000 }, action: 'password attempts', accountWhere: 'at this account', refundSuccess: true },
  /** Sign-up (it hashes a password whether or not the email is taken): 10 a minute from one address, 5 per 10 minutes for one email. */
  'sign-up': { address: { max: 10, windowMs: 60_000 }, account: { max: 5, windowMs: 10 * 60_000 }, action: 'sign-ups', accountWhere: 'for this email', refundSuccess: false },
};

/** Keys kept at most: past this, the keys whose attempts have all expired go first, then the oldest. */
const MAX_KEYS = 100_000;

export type Attempt = { ok: true; settle: (succeeded: boolean) => void } | { ok: false; message: string; retryAfterSeconds: number };

/** The attempts under each key (oldest first), in one map per process: routes and actions are bundled apart, the process is one. */
const holder = globalThis as unknown as { netloomAttempts?: Map<string, number[]> };
const log = (): Map<string, number[]> => (holder.netloomAttempts ??= new Map());

/** An IPv6 client is one /64 (a host is handed a whole prefix); an IPv4 client its address. */
export function addressKey(address: string): string {
  if (!address.includes(':')) return address || 'unknown';
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

const accountKey = (account: string) => account.trim().toLowerCase().slice(0, 320);

function prune(now: number) {
  const attempts = log();
  if (attempts.size < MAX_KEYS) return;
  const longest = Math.max(...Object.values(ATTEMPT_LIMITS).flatMap((l) => [l.address.windowMs, l.account.windowMs]));
  for (const [key, times] of attempts) if (times.at(-1)! < now - longest) attempts.delete(key);
  for (const key of attempts.keys()) {
    if (attempts.size < MAX_KEYS) break;
    attempts.delete(key);
  }
}

/**
 * Counts one attempt of `kind` from `address` at `account` (an email, or
 * whatever names the account), or refuses it. Call `settle` once the
 * password was checked.
 */
export function beginAttempt(kind: AttemptKind, address: string, account: string, now = Date.now()): Attempt {
  const attempts = log();
  const limits = ATTEMPT_LIMITS[kind];
  const keys = [
    { key: `${kind}:address:${addressKey(address)}`, limit: limits.address, what: 'from this address' },
    { key: `${kind}:account:${accountKey(account)}`, limit: limits.account, what: limits.accountWhere },
  ];
  for (const { key, limit, what } of keys) {
    const recent = (attempts.get(key) ?? []).filter((t) => t > now - limit.windowMs);
    attempts.set(key, recent);
    if (recent.length >= limit.max) {
      const retryAfterSeconds = Math.max(1, Math.ceil((recent[0]! + limit.windowMs - now) / 1000));
      return { ok: false, retryAfterSeconds, message: `Too many ${limits.action} ${what} (${limit.max} in ${limit.windowMs / 60_000} minutes): try again in ${Math.ceil(retryAfterSeconds / 60)} minute${retryAfterSeconds > 60 ? 's' : ''}` };
    }
  }
  prune(now);
  for (const { key } of keys) attempts.get(key)!.push(now);
  let settled = false;
  return {
    ok: true,
    settle: (succeeded) => {
      if (settled || !succeeded || !limits.refundSuccess) return;
      settled = true;
      for (const { key } of keys) {
        const times = attempts.get(key);
        const at = times?.lastIndexOf(now) ?? -1;
        if (at >= 0) times!.splice(at, 1);
      }
    },
  };
}

/** The client's address as the gate wrote it (scripts/serve.ts); `unknown` where no gate ran (tests, `next dev`). */
export const clientOf = (headers: Headers): string => headers.get('X-Forwarded-For')?.split(',').at(-1)?.trim() || 'unknown';
