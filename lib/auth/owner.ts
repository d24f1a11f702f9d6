import { LOCAL_OWNER, userOwner, type Owner } from '../db/owner';
import { auth } from './auth';
import { serverMode } from './mode';

export interface SignedIn {
  owner: Owner;
  /** Shared mode's user, to show who is signed in; absent in local mode. */
  user?: { name: string; email: string };
}

/** Who a request acts for: local mode's one user, the session's user in shared mode, or undefined when nobody is signed in. */
export async function signedIn(headers: Headers): Promise<SignedIn | undefined> {
  if (serverMode() === 'local') return { owner: LOCAL_OWNER };
  const session = await auth().api.getSession({ headers });
  if (!session) return undefined;
  return { owner: userOwner(session.user.id), user: { name: session.user.name, email: session.user.email } };
}
