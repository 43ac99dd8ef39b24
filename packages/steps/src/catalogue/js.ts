import { z } from 'zod';
import { defineStepSpec } from './step-spec.js';

/** Config of the `js` step (SPEC §5.2). */
export const JsConfigSchema = z.strictObject({
  source: z
    .string()
    .min(1)
    .describe(
      'JavaScript: an expression ("input.a + 1") or a function body with `return` (may use await). ' +
        '`input` holds the input value; console.log goes to the step log. No require, fs, network or process.',
    ),
  input: z.json().default({}).describe('Any JSON value, available to the script as the global `input`'),
  timeout_ms: z.int().positive().default(5000).describe('Stop the script after this many milliseconds (STEP_TIMEOUT)'),
  memory_limit_mb: z
    .int()
    .min(8)
    .max(1024)
    .default(64)
    .describe('Memory limit of the sandbox in MiB (STEP_FAILED when exceeded)'),
});
export type JsConfig = z.output<typeof JsConfigSchema>;

/**
 * `js`: runs JavaScript in a QuickJS (wasm) sandbox with time and memory limits and no host
 * access. A returned plain object becomes the outputs; any other value is `outputs.result`.
 */
export const jsSpec = defineStepSpec({
  type: 'js',
  description: 'Run JavaScript in a sandbox (QuickJS) with time and memory limits',
  configSchema: JsConfigSchema,
  effect: () => 'idempotent',
});
