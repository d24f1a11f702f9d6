import Link from 'next/link';
import { listDatasets } from '@/lib/db/datasets';
import { DATASET_LIMITS } from '@/lib/data/limits';
import { requireSignedIn } from '../_lib/session';
import { Account } from '../_components/Account';
import { DatasetLibrary } from './DatasetLibrary';

export const dynamic = 'force-dynamic';

/** The owner's dataset library: import by drag and drop, look at what is there, rename, delete. */
export default async function DatasetsPage() {
  const { owner, user } = await requireSignedIn();
  const datasets = await listDatasets(owner);
  return (
    <main className="page">
      <header className="page-header">
        {user && <Account user={user} />}
        <p>
          <Link href="/">← Projects</Link>
        </p>
        <h1>Datasets</h1>
        <p>Your own data for any graph: a Dataset node reads it, and exported projects carry it. MNIST is built in.</p>
      </header>
      <DatasetLibrary datasets={datasets.map((d) => ({ ...d, createdAt: d.createdAt.toISOString() }))} uploadLimit={DATASET_LIMITS.uploadBytes} />
    </main>
  );
}
