import { analyse } from '../graph/analyse';
import { moveNodes, scopeGraph } from '../graph/edit';
import { autoLayout, estimatedSize } from '../graph/layout';
import { loadGraphDoc } from '../graph/migrations';
import type { GraphDoc } from '../graph/schema';
import { aliTemplate } from './ali';
import { aliTunedTemplate } from './ali-tuned';
import { convAeTemplate, convAeTunedTemplate } from './conv-ae';
import { ganTemplate } from './gan';
import { ganLeakyTemplate, ganLeakyTunedTemplate } from './gan-leaky';
import { ganTunedTemplate } from './gan-tuned';
import { dcganTemplate } from './dcgan';
import { wganGpTemplate } from './wgan-gp';
import { betaVaeTemplate, vaeTemplate, vaeTunedTemplate } from './vae';
import { cganTemplate, cganTunedTemplate } from './cgan';
import { cvaeTemplate } from './cvae';
import { ddpmCondTemplate, ddpmTemplate, flowMatchingTemplate } from './diffusion';
import { SUMMARIES } from './summaries';

export interface TemplateInfo {
  id: string;
  name: string;
  description: string;
  /** One sentence for someone choosing a template. */
  summary: string;
  doc: GraphDoc;
}

/** The seed models, parsed through the same loader as any saved document, and laid out so that no nodes overlap. */
export const templates: readonly TemplateInfo[] = [aliTemplate(), aliTunedTemplate(), ganTemplate(), ganTunedTemplate(), ganLeakyTemplate(), ganLeakyTunedTemplate(), dcganTemplate(), wganGpTemplate(), convAeTemplate(), convAeTunedTemplate(), vaeTemplate(), vaeTunedTemplate(), betaVaeTemplate(), cganTemplate(), cganTunedTemplate(), cvaeTemplate(), ddpmTemplate(), flowMatchingTemplate(), ddpmCondTemplate()].map(({ id, doc, placed }) => {
  const loaded = loadGraphDoc(doc);
  if (!loaded.ok) throw new Error(`template ${id} is not a valid GraphDoc: ${loaded.error}`);
  const laid = laidOut(loaded.value, new Set(placed));
  const summary = SUMMARIES[id];
  if (!summary) throw new Error(`template ${id} has no summary in lib/templates/summaries.ts`);
  return { id, name: laid.name, description: laid.description, summary, doc: laid };
});

/** Every scope laid out left to right with the sizes the editor will draw, but the networks the template placed itself. */
function laidOut(doc: GraphDoc, placed: ReadonlySet<string>): GraphDoc {
  const analysis = analyse(doc);
  let next = doc;
  for (const scope of [null, ...doc.networks.map((n) => n.id).filter((id) => !placed.has(id))]) {
    const infos = scope === null ? analysis.main : analysis.networks.get(scope)!;
    next = moveNodes(next, scope, autoLayout(scopeGraph(next, scope), (id) => estimatedSize(infos.nodes.get(id))));
  }
  return next;
}

export const getTemplate = (id: string): TemplateInfo | undefined => templates.find((t) => t.id === id);
