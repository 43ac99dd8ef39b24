import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { FlotillaError, NUL_MESSAGE } from '@flotilla/protocol';
import type { InputLocation } from './parse-input.js';

/** Reported paths per request: enough to fix the input, bounded for hostile bodies. */
const MAX_REPORTED = 20;

/**
 * Containers to look into: arrays and plain objects (what JSON parsing produces), and at the root
 * any object but a stream (Fastify's params and query objects have prototypes of their own; a
 * git request body is a stream, not input to inspect).
 */
function isContainer(value: unknown, root: boolean): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  if (root) return typeof (value as { pipe?: unknown }).pipe !== 'function';
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Where U+0000 occurs in a parsed request part (keys and string values), as dotted paths.
 * Iterative: a body nested thousands of levels deep must not overflow the stack here.
 */
export function nulPaths(value: unknown, limit = MAX_REPORTED): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0 && found.length < limit) {
    const [current, path] = stack.pop() as [unknown, string];
    if (typeof current === 'string') {
      if (current.includes('\u0000')) found.push(path);
    } else if (isContainer(current, current === value)) {
      for (const [key, child] of Object.entries(current)) {
        const childPath = path === '' ? key : `${path}.${key}`;
        if (key.includes('\u0000')) found.push(childPath);
        stack.push([child, childPath]);
      }
    }
  }
  return found;
}

/**
 * The NUL policy of the HTTP API, in one place: a request whose path parameters, query or JSON
 * body contain U+0000 anywhere is refused with 400 `VALIDATION_FAILED`, before any route reads
 * it. No name, id or document of Flotilla needs the character, PostgreSQL cannot store it in
 * `text`, and a step cannot receive it (argv and environment strings end at NUL). Free text an
 * agent reports is not refused but stored with U+FFFD (see `storableText`).
 */
export const nulInputPlugin = fp(
  (app: FastifyInstance) => {
    app.addHook('preValidation', (request, _reply, done) => {
      const parts: [InputLocation, unknown][] = [
        ['params', request.params],
        ['query', request.query],
        ['body', request.body],
      ];
      const errors = parts.flatMap(([location, value]) =>
        nulPaths(value).map((path) => ({ path, message: NUL_MESSAGE, in: location })),
      );
      if (errors.length === 0) {
        done();
        return;
      }
      const where = errors.map((e) => `${e.in} ${e.path || '(root)'}`).join(', ');
      done(
        new FlotillaError('VALIDATION_FAILED', {
          detail: `NUL character (U+0000) in ${where}`,
          errors: errors.slice(0, MAX_REPORTED),
        }),
      );
    });
  },
  { name: 'flotilla-nul-input' },
);
