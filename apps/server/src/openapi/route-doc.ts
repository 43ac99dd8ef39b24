import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * A documented response: a JSON schema, `null` (no body), `'problem'` (a problem document with
 * that status), or another media type.
 */
export type ResponseDoc =
  z.ZodType | null | 'problem' | { description: string; contentType: string; schema?: z.ZodType };

/** The description of one route; the OpenAPI document is built from these and nothing else. */
export interface RouteDoc {
  method: HttpMethod;
  /** The full Fastify pattern as registered (`/api/v1/workflows/:id`). */
  path: string;
  summary: string;
  /** Groups operations (`workflows`, `jobs`, …). */
  tag: string;
  /** Reachable without a token. */
  public?: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The body may be left out (every field has a default). */
  bodyOptional?: boolean;
  responses: Record<number, ResponseDoc>;
  /** For a wildcard route (`/git/*`): the concrete OpenAPI path this operation documents. */
  documentedAs?: string;
  /** Security scheme names accepted instead of the default bearer token. */
  security?: readonly string[];
}

/** Describes an authenticated route under `/api/v1`: one line per route in an area file. */
export function apiRoute(
  method: HttpMethod,
  path: string,
  summary: string,
  spec: Omit<RouteDoc, 'method' | 'path' | 'summary' | 'tag'> & { tag?: string },
): RouteDoc {
  return { method, path: `/api/v1${path}`, summary, tag: spec.tag ?? path.split('/')[1] ?? 'api', ...spec };
}
