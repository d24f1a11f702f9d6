'use server';

import { revalidatePath } from 'next/cache';
import {
  createProject,
  deleteProject,
  duplicateProject,
  listRevisions,
  renameProject,
  restoreRevision,
  saveGraph,
} from '@/lib/db/projects';

/**
 * Server actions: thin wrappers over lib/db/projects, which validates every
 * input and returns errors as values. Nothing here throws to the client.
 */
export async function createProjectAction(input: { name: string; template?: string }) {
  const result = await createProject(input);
  if (result.ok) revalidatePath('/');
  return result;
}

export async function renameProjectAction(id: string, name: string) {
  const result = await renameProject(id, name);
  if (result.ok) revalidatePath('/');
  return result;
}

export async function duplicateProjectAction(id: string) {
  const result = await duplicateProject(id);
  if (result.ok) revalidatePath('/');
  return result;
}

export async function deleteProjectAction(id: string) {
  const result = await deleteProject(id);
  if (result.ok) revalidatePath('/');
  return result;
}

export async function saveGraphAction(id: string, expectedVersion: number, graph: unknown) {
  return saveGraph(id, expectedVersion, graph);
}

export async function listRevisionsAction(id: string) {
  return listRevisions(id);
}

export async function restoreRevisionAction(id: string, expectedVersion: number, revision: number) {
  return restoreRevision(id, expectedVersion, revision);
}
