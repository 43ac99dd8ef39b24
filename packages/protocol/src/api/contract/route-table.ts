import type { AnyRouteContract } from './define-route.js';

/** The contracts of one area, by name (`jobs.get`, `jobs.cancel`…). */
export type RouteGroup = Readonly<Record<string, AnyRouteContract>>;

/** Areas of contracts: what the client maps into `client.api.<area>.<name>(…)`. */
export type RouteTable = Readonly<Record<string, RouteGroup>>;

/** A contract with its name in the table (`jobs.get`), e.g. the OpenAPI operation id. */
export interface NamedRoute {
  readonly name: string;
  readonly contract: AnyRouteContract;
}

/** Every contract of `table`, named `<area>.<name>`, in declaration order. */
export function listRoutes(table: RouteTable): NamedRoute[] {
  return Object.entries(table).flatMap(([area, group]) =>
    Object.entries(group).map(([name, contract]) => ({ name: `${area}.${name}`, contract })),
  );
}

/** A path parameter's value as a caller gives it. */
export type PathValue = string | number | boolean | undefined;

/**
 * The URL path of a route for the given path parameters: `/api/v1/jobs/:id` with `{id: 'job_1'}`
 * is `/api/v1/jobs/job_1`. Values are percent-encoded; a missing one is a programming error
 * (the contract's types require every parameter).
 */
export function routePath(
  contract: Pick<AnyRouteContract, 'path'>,
  params: Readonly<Record<string, PathValue>> = {},
): string {
  return contract.path.replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${contract.path}: path parameter ${name} is missing`);
    return encodeURIComponent(String(value));
  });
}

/** The `:name` parameters of a URL pattern, in order. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1] ?? '');
}
