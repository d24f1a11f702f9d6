import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getProject } from '@/lib/db/projects';
import { datasetChoice, listDatasets } from '@/lib/db/datasets';
import { MNIST_CHOICE } from '@/lib/kinds/common';
import { Editor } from './_editor/Editor';
import { requireSignedIn } from '@/app/_lib/session';

export const dynamic = 'force-dynamic';

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { owner } = await requireSignedIn();
  const project = await getProject(owner, id);
  if (!project.ok) {
    if (project.error.kind === 'not-found') notFound();
    return (
      <main className="page">
        <p role="alert" className="error">
          {project.error.message}
        </p>
        <Link href="/">Back to projects</Link>
      </main>
    );
  }
  const datasets = [MNIST_CHOICE, ...(await listDatasets(owner)).map(datasetChoice)];
  return <Editor projectId={project.value.id} name={project.value.name} version={project.value.version} graph={project.value.graph} datasets={datasets} />;
}
