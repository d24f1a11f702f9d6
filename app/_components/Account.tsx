import { signOutAction } from '@/app/sign-in/actions';

/** Who is signed in (shared mode), and the way out. */
export function Account({ user }: { user: { name: string; email: string } }) {
  return (
    <form action={signOutAction} className="account">
      <span title={user.email}>{user.name}</span>
      <button type="submit" className="link">
        Sign out
      </button>
    </form>
  );
}
