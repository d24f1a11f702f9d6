import { listProjects } from '@/lib/db/projects';
import { templates } from '@/lib/templates';
import { ProjectList } from './_components/ProjectList';

export const dynamic = 'force-dynamic';

/** Home: the user's projects, and new ones from a blank canvas or a seed template. */
export default async function Home() {
  const projects = await listProjects();
  return (
    <main className="page">
      <header className="page-header">
        <h1>Netloom</h1>
        <p>Design generative models as graphs, train them in the browser, export them as TypeScript.</p>
      </header>
      <ProjectList
        projects={projects.map((p) => ({ ...p, updatedAt: p.updatedAt.toISOString() }))}
        templates={templates.map((t) => ({ id: t.id, name: t.name, description: t.description }))}
      />
    </main>
  );
}
