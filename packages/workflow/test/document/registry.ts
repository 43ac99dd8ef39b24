import { z } from 'zod';

/**
 * Small config schemas standing in for the built-in step types, so document tests do not
 * depend on the step catalogue (which is tested in @flotilla/steps).
 */
export const testRegistry: ReadonlyMap<string, { configSchema: z.ZodType }> = new Map<
  string,
  { configSchema: z.ZodType }
>([
  [
    'http',
    {
      configSchema: z.strictObject({
        url: z.url(),
        method: z.enum(['GET', 'POST', 'PUT', 'DELETE']).default('GET'),
        expected_status: z.array(z.int()).optional(),
      }),
    },
  ],
  [
    'db',
    {
      configSchema: z.strictObject({
        driver: z.enum(['postgres', 'mysql', 'sqlite']),
        dsn: z.string(),
        query: z.string(),
        params: z.array(z.unknown()).optional(),
      }),
    },
  ],
  [
    'ssh',
    {
      configSchema: z.strictObject({
        host: z.string(),
        port: z.int().default(22),
        user: z.string(),
        key: z.string().optional(),
        password: z.string().optional(),
        command: z.string().optional(),
      }),
    },
  ],
  [
    'alert',
    {
      configSchema: z.strictObject({
        severity: z.enum(['info', 'warning', 'error', 'critical']),
        title: z.string(),
        message: z.string().optional(),
      }),
    },
  ],
  [
    'command',
    {
      configSchema: z.strictObject({
        command: z.string(),
        args: z.array(z.string()).default([]),
        env: z.record(z.string(), z.string()).optional(),
        shell: z.boolean().default(false),
      }),
    },
  ],
  ['sleep', { configSchema: z.strictObject({ duration: z.string() }) }],
]);
