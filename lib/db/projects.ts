import { z } from 'zod';
import { describeChanges } from '../graph/diff';
import { loadGraphDoc } from '../graph/migrations';
import { CURRENT_SCHEMA_VERSION, type GraphDoc } from '../graph/schema';
import { ok } from '../result';
import { getTemplate } from '../templates';
import { db } from './client';
import { invalid, notFound, stale, type DataResult } from './errors';
import { ownProjects, type Owner } from './owner';

/**
 * Projects: named GraphDocs with a version. Every function validates its
 * input and returns errors as values; a save that names a version other than
 * the stored one is refused (a second tab, a slow request), so nothing is
 * silently overwritten.
 */
export const HISTORY_LENGTH = 20;
/** Projects one owner may have. */
export const MAX_PROJECTS = 1_000;

export interface ProjectSummary {
  id: string;
  name: string;
  version: number;
  updatedAt: Date;
}

export interface ProjectDetail extends ProjectSummary {
  graph: GraphDoc;
}

const GONE = 'This project does not exist (it may have been deleted)';
const NOT_AN_ID = 'Not a project id';

const Name = z.string().trim().min(1, 'A project needs a name').max(200, 'Names are at most 200 characters');
const Id = z.string().min(1).max(100);

const summary = (p: { id: string; name: string; version: number; updatedAt: Date }): ProjectSummary => ({
  id: p.id,
  name: p.name,
  version: p.version,
  updatedAt: p.updatedAt,
});

function blankGraph(name: string): GraphDoc {
  // New graphs stop a run whose loss explodes; templates keep the seeds' behaviour (no guard).
  const loaded = loadGraphDoc({ schemaVersion: CURRENT_SCHEMA_VERSION, name, nodes: [], edges: [], training: { guard: {} } });
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.value;
}

async function tooMany(owner: Owner) {
  const count = await db().project.count({ where: ownProjects(owner) });
  return count >= MAX_PROJECTS ? invalid(`${count} projects, the most one account keeps: delete some first`) : undefined;
}

export async function listProjects(owner: Owner): Promise<ProjectSummary[]> {
  const rows = await db().project.findMany({ where: ownProjects(owner), orderBy: { updatedAt: 'desc' }, select: { id: true, name: true, version: true, updatedAt: true } });
  return rows.map(summary);
}

/** A blank project, or a copy of a template when `template` names one. */
export async function createProject(owner: Owner, input: { name: unknown; template?: unknown }): Promise<DataResult<ProjectSummary>> {
  const name = Name.safeParse(input.name);
  if (!name.success) return invalid(name.error.issues[0]!.message);
  let graph = blankGraph(name.data);
  if (input.template !== undefined && input.template !== '') {
    const template = typeof input.template === 'string' ? getTemplate(input.template) : undefined;
    if (!template) return invalid(`Unknown template "${String(input.template)}"`);
    graph = { ...template.doc, name: name.data };
  }
  const full = await tooMany(owner);
  if (full) return full;
  const created = await db().project.create({
    data: { ownerId: owner.userId, name: name.data, graph: JSON.stringify(graph), revisions: { create: { version: 1, graph: JSON.stringify(graph) } } },
  });
  return ok(summary(created));
}

export async function getProject(owner: Owner, id: unknown): Promise<DataResult<ProjectDetail>> {
  const parsedId = Id.safeParse(id);
  if (!parsedId.success) return invalid(NOT_AN_ID);
  const row = await db().project.findFirst({ where: { id: parsedId.data, ...ownProjects(owner) } });
  if (!row) return notFound(GONE);
  const graph = loadGraphDoc(row.graph);
  if (!graph.ok) return invalid(`The saved graph cannot be read: ${graph.error}`);
  return ok({ ...summary(row), graph: graph.value });
}

export async function renameProject(owner: Owner, id: unknown, name: unknown): Promise<DataResult<ProjectSummary>> {
  const parsed = Name.safeParse(name);
  if (!parsed.success) return invalid(parsed.error.issues[0]!.message);
  const parsedId = Id.safeParse(id);
  if (!parsedId.success) return invalid(NOT_AN_ID);
  const updated = await db().project.updateMany({ where: { id: parsedId.data, ...ownProjects(owner) }, data: { name: parsed.data } });
  if (updated.count === 0) return notFound(GONE);
  const row = await db().project.findUniqueOrThrow({ where: { id: parsedId.data } });
  return ok(summary(row));
}

export async function duplicateProject(owner: Owner, id: unknown): Promise<DataResult<ProjectSummary>> {
  const source = await getProject(owner, id);
  if (!source.ok) return source;
  const full = await tooMany(owner);
  if (full) return full;
  const name = `${source.value.name} (copy)`.slice(0, 200);
  const graph = JSON.stringify(source.value.graph);
  const created = await db().project.create({ data: { ownerId: owner.userId, name, graph, revisions: { create: { version: 1, graph } } } });
  return ok(summary(created));
}

export async function deleteProject(owner: Owner, id: unknown): Promise<DataResult<true>> {
  const parsedId = Id.safeParse(id);
  if (!parsedId.success) return invalid(NOT_AN_ID);
  const deleted = await db().project.deleteMany({ where: { id: parsedId.data, ...ownProjects(owner) } });
  return deleted.count === 0 ? notFound(GONE) : ok(true);
}

/**
 * Saves a graph if the project is still at `expectedVersion`; the new version
 * is expectedVersion + 1 and joins the history (the oldest entries beyond
 * HISTORY_LENGTH are dropped). The graph must be a valid GraphDoc (it may
 * still have analysis problems: work in progress is saved too).
 *
 * `unconfirmed` is a graph this page sent on top of `expectedVersion` whose
 * reply it never got (a restart, the network): when that save did commit,
 * the stored version is the page's own, and this save continues on top of it
 * instead of being refused as a change from elsewhere.
 */
export async function saveGraph(owner: Owner, id: unknown, expectedVersion: unknown, graph: unknown, unconfirmed?: unknown): Promise<DataResult<ProjectSummary>> {
  const parsedId = Id.safeParse(id);
  const version = z.number().int().min(1).safeParse(expectedVersion);
  if (!parsedId.success || !version.success) return invalid('A save needs a project id and the version it was based on');
  const loaded = loadGraphDoc(graph);
  if (!loaded.ok) return invalid(loaded.error);
  const text = JSON.stringify(loaded.value);
  const lost = unconfirmed === undefined ? undefined : loadGraphDoc(unconfirmed);
  return db().$transaction(async (tx) => {
    const write = async (base: number) => {
      const updated = await tx.project.updateMany({ where: { id: parsedId.data, ...ownProjects(owner), version: base }, data: { graph: text, version: base + 1 } });
      if (updated.count === 0) return false;
      await tx.revision.create({ data: { projectId: parsedId.data, version: base + 1, graph: text } });
      await tx.revision.deleteMany({ where: { projectId: parsedId.data, version: { lte: base + 1 - HISTORY_LENGTH } } });
      return true;
    };
    if (!(await write(version.data))) {
      const current = await tx.project.findFirst({ where: { id: parsedId.data, ...ownProjects(owner) }, select: { version: true, graph: true } });
      if (!current) return notFound(GONE);
      const own = lost?.ok && current.version === version.data + 1 && current.graph === JSON.stringify(lost.value);
      if (!own) {
        return stale(
          `Not saved: this project was changed elsewhere (version ${current.version}, this page has version ${version.data}). Reload to see the latest version; your change was not applied.`,
          current.version,
        );
      }
      // The stored version is this page's own lost save: continue on top of it (nothing to write when it is this graph).
      if (current.graph !== text) await write(current.version);
    }
    const row = await tx.project.findUniqueOrThrow({ where: { id: parsedId.data } });
    return ok(summary(row));
  });
}

/** One saved version, and what it changed from the version before it (in phrases: lib/graph/diff.ts). */
export interface RevisionSummary {
  version: number;
  createdAt: Date;
  changes: string[];
}

export async function listRevisions(owner: Owner, id: unknown): Promise<DataResult<RevisionSummary[]>> {
  const parsedId = Id.safeParse(id);
  if (!parsedId.success) return invalid(NOT_AN_ID);
  if (!(await db().project.findFirst({ where: { id: parsedId.data, ...ownProjects(owner) }, select: { id: true } }))) return notFound(GONE);
  const rows = await db().revision.findMany({ where: { projectId: parsedId.data }, orderBy: { version: 'desc' }, select: { version: true, createdAt: true, graph: true } });
  const graphs = rows.map((row) => loadGraphDoc(row.graph));
  return ok(
    rows.map((row, i) => {
      const [after, before] = [graphs[i]!, graphs[i + 1]];
      // The oldest version kept has nothing before it to compare with.
      const changes =
        after.ok && before?.ok && rows[i + 1]!.version === row.version - 1 ? describeChanges(before.value, after.value) : [row.version === 1 ? 'created the project' : 'the oldest version kept'];
      return { version: row.version, createdAt: row.createdAt, changes };
    }),
  );
}

/** Restores an earlier revision as a new save (so the restore itself can be undone). */
export async function restoreRevision(owner: Owner, id: unknown, expectedVersion: unknown, revision: unknown): Promise<DataResult<ProjectSummary>> {
  const parsedId = Id.safeParse(id);
  const which = z.number().int().min(1).safeParse(revision);
  if (!parsedId.success || !which.success) return invalid('A restore needs a project id and a revision number');
  const row = await db().revision.findFirst({ where: { projectId: parsedId.data, version: which.data, project: ownProjects(owner) } });
  if (!row) return notFound(`Version ${which.data} is not in this project's history`);
  return saveGraph(owner, parsedId.data, expectedVersion, row.graph);
}
