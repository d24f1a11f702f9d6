import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { signedIn, type SignedIn } from '@/lib/auth/owner';

/** For pages and server actions: who is signed in, or off to the sign-in page. */
export async function requireSignedIn(): Promise<SignedIn> {
  const who = await signedIn(await headers());
  if (!who) redirect('/sign-in');
  return who;
}
