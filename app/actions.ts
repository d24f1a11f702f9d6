'use server';

import { asOwner } from '@/app/_lib/session';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import {
  createProject,
  deleteProject,
  duplicateProject,
  listRevisions,
  renameProject,
  restoreRevision,
} from '@/lib/db/projects';
import { MALFORMED_FORM } from '@/app/_lib/protection';

/**
 * Server actions: thin wrappers over lib/db/projects, which validates every
 * input, reaches only the signed-in owner's projects and returns errors as
 * values with their kind. Nothing here throws to the client: arguments are
 * whatever a request decodes to, so none is trusted to be the type declared.
 * (The editor's autosave is a route: PUT /api/projects/:id/graph.)
 */

export async function createProjectAction(input: { name: string; template?: string }) {
  const { name, template } = input !== null && typeof input === 'object' ? input : { name: undefined, template: undefined };
  const result = await asOwner((owner) => createProject(owner, { name, template }));
  if (result.ok) revalidatePath('/');
  return result;
}

/** The "New project" form: works before hydration too; opens the editor on success. */
export async function createProjectFormAction(_previous: { error?: string }, form: FormData): Promise<{ error?: string }> {
  if (!(form instanceof FormData)) return { error: MALFORMED_FORM };
  const template = String(form.get('template') ?? '');
  const result = await asOwner((owner) => createProject(owner, { name: form.get('name') ?? '', template: template || undefined }));
  if (!result.ok && result.error.kind === 'signed-out') redirect('/sign-in');
  if (!result.ok) return { error: result.error.message };
  revalidatePath('/');
  redirect(`/projects/${result.value.id}`);
}

export async function renameProjectAction(id: string, name: string) {
  const result = await asOwner((owner) => renameProject(owner, id, name));
  if (result.ok) revalidatePath('/');
  return result;
}

export async function duplicateProjectAction(id: string) {
  const result = await asOwner((owner) => duplicateProject(owner, id));
  if (result.ok) revalidatePath('/');
  return result;
}

export async function deleteProjectAction(id: string) {
  const result = await asOwner((owner) => deleteProject(owner, id));
  if (result.ok) revalidatePath('/');
  return result;
}

export async function listRevisionsAction(id: string) {
  return asOwner((owner) => listRevisions(owner, id));
}

export async function restoreRevisionAction(id: string, expectedVersion: number, revision: number) {
  return asOwner((owner) => restoreRevision(owner, id, expectedVersion, revision));
}
