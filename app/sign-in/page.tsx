import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/auth';
import { serverMode, sharedSettings } from '@/lib/auth/mode';
import { signedIn } from '@/lib/auth/owner';
import { SignInForm } from './SignInForm';

export const dynamic = 'force-dynamic';

/** Shared mode's sign-in (local mode has no accounts: straight to the projects). */
export default async function SignInPage() {
  if (serverMode() === 'local' || (await signedIn(await headers()))) redirect('/');
  return (
    <main className="page narrow">
      <header className="page-header">
        <h1>Netloom</h1>
        <p>Sign in to see your projects. Each account sees only its own projects, runs and checkpoints.</p>
      </header>
      <SignInForm signUpOpen={sharedSettings().signUp === 'open'} minPasswordLength={MIN_PASSWORD_LENGTH} />
    </main>
  );
}
