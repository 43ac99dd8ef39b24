import type { z } from 'zod';
import type { RoutePermission } from './permission.js';
import type { ResponseMap } from './responses.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Where a schema is left out, the contract holds `undefined`: the route takes no such input. */
type MaybeSchema = z.ZodType | undefined;

/**
 * One route, declared once: what it takes, what it answers and who may call it. The server
 * registers its handler from it, the OpenAPI document is generated from it, and the client
 * derives its call from it.
 */
export interface RouteContract<
  M extends HttpMethod = HttpMethod,
  P extends string = string,
  Params extends MaybeSchema = MaybeSchema,
  Query extends MaybeSchema = MaybeSchema,
  Body extends MaybeSchema = MaybeSchema,
  R extends ResponseMap = ResponseMap,
  Perm extends RoutePermission = RoutePermission,
  BodyOptional extends boolean = boolean,
> {
  readonly method: M;
  /** The full URL pattern as the server registers it, with `:name` parameters (`/api/v1/jobs/:id`). */
  readonly path: P;
  readonly summary: string;
  /** Groups operations in the OpenAPI document (`jobs`, `agents`…). */
  readonly tag: string;
  readonly permission: Perm;
  readonly params: Params;
  readonly query: Query;
  readonly body: Body;
  /** The body may be left out (every field has a default). */
  readonly bodyOptional: BodyOptional;
  readonly responses: R;
  /** For a wildcard route (`/git/*`): the concrete path the OpenAPI document shows. */
  readonly documentedAs?: string | undefined;
  /** Security schemes accepted instead of the default bearer token (`basic` for git). */
  readonly security?: readonly string[] | undefined;
}

/** Any route contract, whatever its literal types. */
export type AnyRouteContract = RouteContract;

/** What `defineRoute` takes: the contract with its optional parts left out. */
export interface RouteDeclaration<
  M extends HttpMethod,
  P extends string,
  Params extends MaybeSchema,
  Query extends MaybeSchema,
  Body extends MaybeSchema,
  R extends ResponseMap,
  Perm extends RoutePermission,
  BodyOptional extends boolean,
> {
  method: M;
  path: P;
  summary: string;
  /** @default the first path segment after `/api/v1/` */
  tag?: string;
  permission: Perm;
  params?: Params;
  query?: Query;
  body?: Body;
  /** @default false */
  bodyOptional?: BodyOptional;
  responses: R;
  documentedAs?: string;
  security?: readonly string[];
}

/**
 * Declares a route. The literal method, path, statuses and permission, and the schemas' types,
 * survive into the contract's type, so the server's handler and the client's call are checked
 * against them by the compiler.
 */
export function defineRoute<
  const M extends HttpMethod,
  const P extends string,
  const R extends ResponseMap,
  const Perm extends RoutePermission,
  Params extends MaybeSchema = undefined,
  Query extends MaybeSchema = undefined,
  Body extends MaybeSchema = undefined,
  const BodyOptional extends boolean = false,
>(
  declaration: RouteDeclaration<M, P, Params, Query, Body, R, Perm, BodyOptional>,
): RouteContract<M, P, Params, Query, Body, R, Perm, BodyOptional> {
  return {
    method: declaration.method,
    path: declaration.path,
    summary: declaration.summary,
    tag: declaration.tag ?? declaration.path.replace(/^\/api\/v1\//, '').split('/')[0] ?? 'api',
    permission: declaration.permission,
    params: declaration.params as Params,
    query: declaration.query as Query,
    body: declaration.body as Body,
    bodyOptional: (declaration.bodyOptional ?? false) as BodyOptional,
    responses: declaration.responses,
    documentedAs: declaration.documentedAs,
    security: declaration.security,
  };
}
