import type { z } from 'zod';
import { FlotillaError } from '@flotilla/protocol';

/** Where an input came from; named in every validation problem. */
export type InputLocation = 'body' | 'query' | 'params';

/**
 * Parses a request part with a protocol schema: the single edge where HTTP input is checked.
 * Every issue is reported at once as `VALIDATION_FAILED` with `errors: [{path, message, in}]`.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, location: InputLocation): z.output<S> {
  const result = schema.safeParse(value ?? (location === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: base === '' ? key : `${base}.${key}`,
        message: 'unknown field',
        in: location,
      }));
    }
    return [{ path: base, message: issue.message, in: location }];
  });
  throw new FlotillaError('VALIDATION_FAILED', {
    detail: `Invalid request ${location}: ${errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ')}`,
    errors,
  });
}
