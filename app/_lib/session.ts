import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { signedIn, type SignedIn } from '@/lib/auth/owner';
import { SIGNED_OUT, type DataResult } from '@/lib/db/errors';
import type { Owner } from '@/lib/db/owner';

/** For pages and server actions: who is signed in, or off to the sign-in page. */
export async function requireSignedIn(): Promise<SignedIn> {
  const who = await signedIn(await headers());
  if (!who) redirect('/sign-in');
  return who;
}

/**
 * For server actions: acts for the signed-in owner. A session that ended is an
 * error the page shows (and retries after sign-in), not a redirect that would
 * drop unsaved work.
 */
export async function asOwner<T>(act: (owner: Owner) => Promise<DataResult<T>>): Promise<DataResult<T>> {
  const who = await signedIn(await headers());
  return who ? act(who.owner) : SIGNED_OUT;
}
