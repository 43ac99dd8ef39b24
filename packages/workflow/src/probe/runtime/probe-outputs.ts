import { isMap } from '../actions/values.js';

/**
 * The outputs steps publish, as probe keeps them: under the step's id (`outputs.auth.token`,
 * replaced when the step publishes again) and by name alone (`outputs.token`, the first value
 * published under that name stays). A step id that is already a flat name does not get the
 * nested form, and the reverse.
 *
 * A run of a repeated job gets a layer of its own (`layer()`): its steps read what that run
 * published first, then what is beneath; whatever is published goes to both, so the jobs after
 * it read the latest.
 */
export class ProbeOutputs {
  private readonly data = new Map<string, unknown>();

  constructor(private readonly below?: ProbeOutputs) {}

  /** A layer over this table (one run of a repeated job). */
  layer(): ProbeOutputs {
    return new ProbeOutputs(this);
  }

  set(stepId: string, outputs: Record<string, unknown>): void {
    this.setHere(stepId, outputs);
    this.below?.set(stepId, outputs);
  }

  private setHere(stepId: string, outputs: Record<string, unknown>): void {
    const existing = this.data.get(stepId);
    if (existing === undefined || isMap(existing)) this.data.set(stepId, { ...outputs });
    for (const [name, value] of Object.entries(outputs)) if (!this.data.has(name)) this.data.set(name, value);
  }

  /** The `outputs` an expression reads. */
  view(): Record<string, unknown> {
    const out: Record<string, unknown> = this.below?.view() ?? {};
    for (const [key, value] of this.data) out[key] = value;
    return out;
  }
}
