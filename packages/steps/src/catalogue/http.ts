import { z } from 'zod';
import { HeadersSchema } from './http-headers.js';
import { defineStepSpec } from './step-spec.js';

const METHODS = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Methods that change nothing on the server: safe to repeat after a crash (SPEC §5.3). */
export const SAFE_METHODS: ReadonlySet<string> = new Set<string>(['GET', 'HEAD', 'OPTIONS']);
const StatusSchema = z.int().min(100).max(599);

/** Config of the `http` step (SPEC §5.2). */
export const HttpConfigSchema = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }).describe('http:// or https:// URL to call'),
    method: z
      .preprocess((value) => (typeof value === 'string' ? value.toUpperCase() : value), z.enum(METHODS))
      .default('GET')
      .describe('HTTP method; GET, HEAD and OPTIONS are idempotent, others at-most-once'),
    headers: HeadersSchema.default({}).describe('Request headers'),
    query: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe('Query parameters appended to the URL'),
    body: z
      .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
      .optional()
      .describe('Request body: an object or list is sent as JSON, a string as is'),
    expected_status: z
      .union([StatusSchema, z.array(StatusSchema).min(1), z.literal('any')])
      .optional()
      .describe('Accepted status code(s), or `any` (every answer is a result); default any 2xx'),
    expected_body_contains: z.string().optional().describe('Fail unless the response body contains this text'),
    follow_redirects: z
      .boolean()
      .default(true)
      .describe('Follow 3xx redirects (at most 20); a redirect to another origin drops credentials'),
    insecure_skip_verify: z
      .boolean()
      .default(false)
      .describe('Accept any TLS certificate (self-signed test servers only)'),
    max_response_bytes: z
      .int()
      .positive()
      .max(64 * 1024 * 1024)
      .default(10 * 1024 * 1024)
      .describe('Fail when the response body is larger than this (default 10 MiB)'),
  })
  .refine((c) => c.body === undefined || (c.method !== 'GET' && c.method !== 'HEAD'), {
    message: 'GET and HEAD requests cannot have a body',
    path: ['body'],
  });
export type HttpConfig = z.output<typeof HttpConfigSchema>;

/**
 * `http`: one HTTP request with checks on status and body. Non-GET requests carry the run's
 * `Idempotency-Key`, so a server can recognise a retry of the same attempt.
 */
export const httpSpec = defineStepSpec({
  type: 'http',
  description: 'Send an HTTP request and check the response',
  configSchema: HttpConfigSchema,
  effect: (config) => (SAFE_METHODS.has(config.method) ? 'idempotent' : 'at-most-once'),
});
