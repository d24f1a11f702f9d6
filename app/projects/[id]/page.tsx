import Link from 'next/link';
import { getProject } from '@/lib/db/projects';
import { Editor } from './_editor/Editor';

export const dynamic = 'force-dynamic';

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const project = await getProject(id);
  if (!project.ok) {
    return (
      <main className="page">
        <p role="alert" className="error">
          {project.error}
        </p>
        <Link href="/">Back to projects</Link>
      </main>
    );
  }
  return <Editor projectId={project.value.id} name={project.value.name} version={project.value.version} graph={project.value.graph} />;
}
