import { z } from 'zod';
import { defineStepSpec } from './step-spec.js';

/** Config of the `service` step (SPEC §5.2). */
export const ServiceConfigSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.@:][A-Za-z0-9_.@:-]*$/, 'a service name: letters, digits and _ . @ : - (not starting with -)')
    .describe('Service (unit) name; must be in the agent policy allowedServices'),
  action: z.enum(['start', 'stop', 'restart', 'status', 'enable', 'disable']).describe('What to do with the service'),
});
export type ServiceConfig = z.output<typeof ServiceConfigSchema>;

/** `service`: starts, stops, restarts, enables, disables or queries a service on the allowed list. */
export const serviceSpec = defineStepSpec({
  type: 'service',
  description: 'Start, stop, restart, enable, disable or query a system service from the allowed list',
  configSchema: ServiceConfigSchema,
  effect: (config) => (config.action === 'status' ? 'idempotent' : 'at-most-once'),
});
