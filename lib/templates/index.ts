import { loadGraphDoc } from '../graph/migrations';
import type { GraphDoc } from '../graph/schema';
import { aliTemplate } from './ali';
import { convAeTemplate } from './conv-ae';
import { ganTemplate } from './gan';
import { ganLeakyTemplate } from './gan-leaky';
import { vaeTemplate } from './vae';

export interface TemplateInfo {
  id: string;
  name: string;
  description: string;
  doc: GraphDoc;
}

/** The seed models, parsed through the same loader as any saved document. */
export const templates: readonly TemplateInfo[] = [aliTemplate(), ganTemplate(), ganLeakyTemplate(), convAeTemplate(), vaeTemplate()].map(({ id, doc }) => {
  const loaded = loadGraphDoc(doc);
  if (!loaded.ok) throw new Error(`template ${id} is not a valid GraphDoc: ${loaded.error}`);
  return { id, name: loaded.value.name, description: loaded.value.description, doc: loaded.value };
});

export const getTemplate = (id: string): TemplateInfo | undefined => templates.find((t) => t.id === id);
