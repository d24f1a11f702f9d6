import type { TF, Tensor } from '../kinds/kind';

/**
 * Op outputs computed earlier in the same iteration, by computation key. A
 * later step whose inputs and weights are unchanged (ALI's G step re-running
 * Q(x) and P(z), which the D step did not update) takes them instead of
 * recomputing; it still records the gradient where it needs one.
 */
export class ComputedValues {
  private values = new Map<string, Record<string, Tensor>>();
  private keys = new Map<string, string>();

  /** Short stable ids for long computation descriptions. */
  intern(description: string): string {
    let key = this.keys.get(description);
    if (!key) {
      key = `c${this.keys.size}`;
      this.keys.set(description, key);
    }
    return key;
  }

  get(key: string): Record<string, Tensor> | undefined {
    const outputs = this.values.get(key);
    // A step may have released a value it returned (its loss): never hand that out.
    return outputs && Object.values(outputs).every((t) => !t.isDisposed) ? outputs : undefined;
  }

  set(key: string, outputs: Record<string, Tensor>, tf: TF): void {
    for (const t of Object.values(outputs)) tf.keep(t);
    this.values.set(key, outputs);
  }

  dispose(): void {
    const seen = new Set<Tensor>();
    for (const outputs of this.values.values()) for (const t of Object.values(outputs)) seen.add(t);
    seen.forEach((t) => t.dispose());
    this.values.clear();
    this.keys.clear();
  }
}
