import Link from 'next/link';
import { connection } from 'next/server';

/**
 * Any address with nothing behind it. Rendered per request like every other
 * page: a prerendered page carries no CSP nonce, so the policy would block
 * Next.js's own scripts on it.
 */
export default async function NotFound() {
  await connection();
  return (
    <main className="page">
      <h1>Nothing here</h1>
      <p>There is no page at this address: the project may have been deleted, or the link may be mistyped.</p>
      <p>
        <Link href="/">Back to your projects</Link> · <Link href="/datasets">Datasets</Link>
      </p>
    </main>
  );
}
