import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as authPost } from '../../../app/api/auth/[...all]/route';
import { signInAction } from '../../../app/sign-in/actions';
import { SIGNED_UP } from '../../../app/sign-in/signed-up';
import { auth } from '../../../lib/auth/auth';
import { db } from '../../../lib/db/client';
import { migrate } from '../../../lib/db/migrate';

/**
 * Sign-up does not tell whether an email is registered (account
 * enumeration): through the sign-in page's action and through Better Auth's
 * own endpoint, a registered email gets the answer a new one gets, no
 * session either way, and the registered account is left as it was (real
 * SQLite database, Better Auth as shared mode runs it).
 */
vi.mock('next/headers', () => ({ headers: async () => new Headers() }));
vi.mock('next/navigation', () => ({
  redirect: (to: string) => {
    throw new Error(`redirect ${to}`);
  },
}));

beforeAll(async () => {
  const url = `file:${path.join(await mkdtemp(path.join(tmpdir(), 'netloom-sign-up-')), 'test.db')}`;
  process.env.DATABASE_URL = url;
  process.env.NETLOOM_MODE = 'shared';
  process.env.BETTER_AUTH_SECRET = 'a-test-secret-of-at-least-32-characters!';
  process.env.BETTER_AUTH_URL = 'http://localhost:3000';
  await migrate(url);
  await auth().api.signUpEmail({ body: { name: 'Alice', email: 'alice@example.com', password: 'alice-password-1234' } });
});

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
};
const signUpForm = (email: string) => form({ intent: 'sign-up', name: 'Mallory', email, password: 'mallory-password-1234' });

/** Better Auth's sign-up endpoint as a client calls it; the answer without what differs between any two answers (ids, times). */
async function signUpRequest(email: string) {
  const request = new Request('http://localhost:3000/api/auth/sign-up/email', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: 'http://localhost:3000' },
    body: JSON.stringify({ name: 'Mallory', email, password: 'mallory-password-1234' }),
  });
  const response = await authPost(request);
  const body = await response.json();
  const { id, createdAt, updatedAt, ...user } = body.user ?? {};
  return { status: response.status, cookies: response.headers.getSetCookie(), body: { ...body, user }, fields: { id: typeof id, createdAt: typeof createdAt, updatedAt: typeof updatedAt } };
}

describe('sign-up', () => {
  it('answers the sign-in page the same for a registered email as for a new one, and asks to sign in', async () => {
    const registered = await signInAction({}, signUpForm('alice@example.com'));
    const fresh = await signInAction({}, signUpForm('new@example.com'));
    expect(registered).toEqual({ email: 'alice@example.com', notice: SIGNED_UP });
    expect(fresh).toEqual({ email: 'new@example.com', notice: SIGNED_UP });
  });

  it("answers Better Auth's endpoint the same, with no session, for a registered email and a new one", async () => {
    const registered = await signUpRequest('alice@example.com');
    const fresh = await signUpRequest('other@example.com');
    expect(registered.status).toBe(200);
    expect(registered.cookies).toEqual([]);
    expect({ ...registered, body: { ...registered.body, user: { ...registered.body.user, email: '' } } }).toEqual({ ...fresh, body: { ...fresh.body, user: { ...fresh.body.user, email: '' } } });
  });

  it('leaves the registered account as it was, and makes the new ones', async () => {
    await expect(signInAction({}, form({ email: 'alice@example.com', password: 'alice-password-1234' }))).rejects.toThrow('redirect /');
    expect(await signInAction({}, form({ email: 'alice@example.com', password: 'mallory-password-1234' }))).toMatchObject({ error: expect.stringMatching(/invalid/i) });
    expect(await db().user.count({ where: { email: 'alice@example.com' } })).toBe(1);
    expect((await db().user.findUnique({ where: { email: 'alice@example.com' } }))?.name).toBe('Alice');
    await expect(signInAction({}, form({ email: 'new@example.com', password: 'mallory-password-1234' }))).rejects.toThrow('redirect /');
  });
});
