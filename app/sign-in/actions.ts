'use server';

import { isAPIError } from 'better-auth/api';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { beginAttempt, clientOf } from '@/lib/auth/attempts';
import { auth, MIN_PASSWORD_LENGTH } from '@/lib/auth/auth';
import { serverMode } from '@/lib/auth/mode';
import { MALFORMED_FORM } from '@/app/_lib/protection';
import { SIGNED_UP } from './signed-up';

export interface SignInState {
  error?: string;
  /** After a sign-up: what to do next (the same words whether the email was new or not). */
  notice?: string;
  /** What was typed, kept after a refusal (never the password). */
  email?: string;
  name?: string;
}

const Credentials = z.object({
  email: z.email('Enter an email address').max(254),
  password: z.string().min(1, 'Enter your password').max(256, 'Passwords are at most 256 characters'),
});
const NewAccount = Credentials.extend({
  name: z.string().trim().min(1, 'Enter your name').max(100, 'Names are at most 100 characters'),
  password: z.string().min(MIN_PASSWORD_LENGTH, `Passwords have at least ${MIN_PASSWORD_LENGTH} characters`).max(256, 'Passwords are at most 256 characters'),
});

/**
 * Signs in (the session cookie is set by Better Auth's Next.js plugin), or
 * creates an account (`intent=sign-up`) and asks to sign in: the answer is
 * the same for an email that is registered already.
 */
export async function signInAction(_previous: SignInState, form: FormData): Promise<SignInState> {
  if (serverMode() !== 'shared') redirect('/');
  if (!(form instanceof FormData)) return { error: MALFORMED_FORM };
  const signUp = form.get('intent') === 'sign-up';
  const typed = { email: String(form.get('email') ?? ''), name: String(form.get('name') ?? '') };
  const parsed = (signUp ? NewAccount : Credentials).safeParse({ ...typed, password: form.get('password') ?? '' });
  if (!parsed.success) return { ...typed, error: parsed.error.issues[0]!.message };
  const requestHeaders = await headers();
  // Better Auth's rate limit applies to its HTTP endpoints only, not to these calls: the same limits as its endpoints' are counted here.
  const attempt = beginAttempt(signUp ? 'sign-up' : 'password', clientOf(requestHeaders), parsed.data.email);
  if (!attempt.ok) return { ...typed, error: attempt.message };
  try {
    const body = parsed.data as z.infer<typeof NewAccount>;
    if (signUp) {
      await auth().api.signUpEmail({ body, headers: requestHeaders });
      return { email: typed.email, notice: SIGNED_UP };
    }
    await auth().api.signInEmail({ body, headers: requestHeaders });
    attempt.settle(true);
  } catch (error) {
    if (isAPIError(error)) return { ...typed, error: error.message || 'Sign-in refused' };
    throw error;
  }
  redirect('/');
}

export async function signOutAction(): Promise<void> {
  if (serverMode() === 'shared') await auth().api.signOut({ headers: await headers() });
  redirect('/sign-in');
}
