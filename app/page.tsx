import Link from 'next/link';
import { listProjects } from '@/lib/db/projects';
import { templates } from '@/lib/templates';
import { ProjectList } from './_components/ProjectList';
import { Account } from './_components/Account';
import { graphThumbnail } from './_components/thumbnail';
import { requireSignedIn } from './_lib/session';

export const dynamic = 'force-dynamic';

/** Home: the user's projects, and new ones from a blank canvas or a seed template. */
export default async function Home() {
  const { owner, user } = await requireSignedIn();
  const projects = await listProjects(owner);
  return (
    <main className="page">
      <header className="page-header">
        {user && <Account user={user} />}
        <h1>Netloom</h1>
        <p>Design generative models as graphs, train them in the browser, export them as TypeScript or PyTorch projects.</p>
        <nav>
          <Link href="/datasets">Datasets</Link>: import your own images and arrays for any graph
        </nav>
      </header>
      <ProjectList
        projects={projects.map((p) => ({ ...p, updatedAt: p.updatedAt.toISOString() }))}
        templates={templates.map((t) => ({ id: t.id, name: t.name, description: t.description, summary: t.summary, thumbnail: graphThumbnail(t.doc) }))}
      />
    </main>
  );
}
