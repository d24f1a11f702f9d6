/**
 * A kind's code forms, grouped by export target: `forms.<target id>`, each
 * mirroring what it is the code of (an op's `compute` and `update`, a
 * source's `sampler`, an optimizer's `updater`). These interfaces are empty
 * here on purpose: each target declares its own member, with its own form
 * type, from its folder (codegen/<target>/forms.ts adds it by interface
 * merging), so a kind's forms are typed exactly as the target reads them
 * while this floor imports nothing from codegen. A target whose forms every
 * kind must have declares its member required; others optional, and an
 * export that needs a missing form is refused, naming the kind.
 */

/** The forms of a layer or loss (`compute`, `update`). */
export interface OpForms<P> {}

/** The forms of a data source (`sampler`). */
export interface SourceForms<P> {}

/** The forms of an optimizer (`updater`). */
export interface OptimizerForms<P> {}

/** The forms of a sampler (`sample`). */
export interface SamplerForms<P> {}
