'use client';

import Link from 'next/link';
import { useActionState, useState, useTransition } from 'react';
import type { DataResult } from '@/lib/db/errors';
import { ConfirmDelete } from './ConfirmDelete';
import { TemplatePicker, type TemplateChoice } from './TemplatePicker';
import { createProjectFormAction, deleteProjectAction, duplicateProjectAction, renameProjectAction } from '../actions';

interface Props {
  projects: { id: string; name: string; version: number; updatedAt: string }[];
  templates: TemplateChoice[];
}

export function ProjectList({ projects, templates }: Props) {
  const [created, createAction, creating] = useActionState(createProjectFormAction, {});
  const [error, setError] = useState<string>();
  const [pending, startTransition] = useTransition();
  const [renaming, setRenaming] = useState<string>();
  const [template, setTemplate] = useState('');
  const chosen = templates.find((t) => t.id === template);

  const run = (work: () => Promise<DataResult<unknown>>, then?: (value: unknown) => void) =>
    startTransition(async () => {
      const result = await work();
      if (!result.ok) setError(result.error.message);
      else {
        setError(undefined);
        then?.(result.value);
      }
    });

  return (
    <section>
      <form className="new-project" action={createAction}>
        <h2>New project</h2>
        <label>
          Name <input name="name" required maxLength={200} placeholder="My GAN" aria-label="Project name" />
        </label>
        <label>
          Start from{' '}
          <select name="template" aria-label="Template" value={template} onChange={(e) => setTemplate(e.target.value)}>
            <option value="">Blank canvas</option>
            {templates.map((t) => (
              <option key={t.id} value={t.id} title={t.description}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={creating}>
          Create
        </button>
        {/* Open for a newcomer; folded away once there are projects to get to. */}
        <details className="template-browser" open={projects.length === 0}>
          <summary>Browse the templates: what each is, and its graph</summary>
          <TemplatePicker templates={templates} chosen={template} onChoose={setTemplate} />
        </details>
        {/* What the template is, and for a tuned variant what changed and why. */}
        {chosen && (
          <p className="template-description muted" aria-label="Template description">
            {chosen.description}
          </p>
        )}
      </form>
      {created.error && (
        <p role="alert" className="error">
          {created.error}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <h2>Projects</h2>
      {projects.length === 0 ? (
        <p className="muted">No projects yet.</p>
      ) : (
        <table className="projects">
          <thead>
            <tr>
              <th>Name</th>
              <th>Last modified</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {projects.map((p) => (
              <tr key={p.id} data-project={p.name}>
                <td>
                  {renaming === p.id ? (
                    <form
                      onSubmit={(e) => {
                        e.preventDefault();
                        const name = String(new FormData(e.currentTarget).get('name') ?? '');
                        run(() => renameProjectAction(p.id, name), () => setRenaming(undefined));
                      }}
                    >
                      <input name="name" defaultValue={p.name} autoFocus aria-label="New name" maxLength={200} />
                      <button type="submit">Save</button>
                      <button type="button" onClick={() => setRenaming(undefined)}>
                        Cancel
                      </button>
                    </form>
                  ) : (
                    <Link href={`/projects/${p.id}`}>{p.name}</Link>
                  )}
                </td>
                <td>
                  <time dateTime={p.updatedAt}>{new Date(p.updatedAt).toLocaleString()}</time>
                </td>
                <td className="row-actions">
                  <button onClick={() => setRenaming(p.id)}>Rename</button>
                  <button onClick={() => run(() => duplicateProjectAction(p.id))}>Duplicate</button>
                  <ConfirmDelete name={p.name} onConfirm={() => run(() => deleteProjectAction(p.id))} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
