import { z } from 'zod';
import { defineStepSpec } from './step-spec.js';

/** Config of the `alert` step (SPEC §5.2, §7). */
export const AlertConfigSchema = z.strictObject({
  severity: z.enum(['info', 'warning', 'error', 'critical']).describe('How serious the alert is'),
  title: z.string().min(1).describe('Short summary shown in alert lists and notifications'),
  message: z.string().optional().describe('Details'),
  labels: z.record(z.string(), z.string()).default({}).describe('Key/value labels for routing and grouping'),
});
export type AlertConfig = z.output<typeof AlertConfigSchema>;

/**
 * `alert`: raises an alert in the control plane. At-most-once by default, because a crash
 * between raising and journaling would otherwise notify people twice; a document can set
 * `effect: idempotent` where a repeat is harmless.
 */
export const alertSpec = defineStepSpec({
  type: 'alert',
  description: 'Raise an alert in the control plane',
  configSchema: AlertConfigSchema,
  effect: () => 'at-most-once',
});
