/**
 * Who a data call acts for. Every function of the data layer takes one and
 * reaches only that owner's projects and what hangs from them (revisions,
 * runs, points, pictures, checkpoints): a record of someone else's is "not
 * found", exactly like one that does not exist.
 */
export interface Owner {
  /** The signed-in user on a shared server; null for local mode's one user (projects with no owner). */
  readonly userId: string | null;
}

/** Local mode: no accounts, the projects that have no owner. */
export const LOCAL_OWNER: Owner = Object.freeze({ userId: null });

export const userOwner = (userId: string): Owner => Object.freeze({ userId });

/** The Prisma filter for this owner's projects. */
export const ownProjects = (owner: Owner) => ({ ownerId: owner.userId });

/** The Prisma filter for runs of this owner's projects. */
export const ownRuns = (owner: Owner) => ({ project: ownProjects(owner) });
