'use server';

import { asOwner } from '@/app/_lib/session';
import { revalidatePath } from 'next/cache';
import { deleteDataset, renameDataset } from '@/lib/db/datasets';

/** Server actions of the Datasets page: thin wrappers over lib/db/datasets, for the signed-in owner. */

export async function renameDatasetAction(id: string, name: string) {
  const result = await asOwner((owner) => renameDataset(owner, id, name));
  if (result.ok) revalidatePath('/datasets');
  return result.ok ? { ok: true as const, value: true } : result;
}

export async function deleteDatasetAction(id: string) {
  const result = await asOwner((owner) => deleteDataset(owner, id));
  if (result.ok) revalidatePath('/datasets');
  return result;
}
