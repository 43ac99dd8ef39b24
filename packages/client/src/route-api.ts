import type { AnyRouteContract, RouteTable } from '@flotilla/protocol';
import type { HttpClient } from './http-client.js';
import { callRoute } from './route-call.js';
import type { RouteArgs, RouteResult } from './route-call.js';

/** The call of one route: its input in, its parsed answer out. */
export type RouteCaller<C extends AnyRouteContract> = (...args: RouteArgs<C>) => Promise<RouteResult<C>>;

/** A route table as methods: `api.jobs.get({ params: { id } })`. */
export type RouteApi<T extends RouteTable> = {
  readonly [A in keyof T]: { readonly [N in keyof T[A]]: RouteCaller<T[A][N]> };
};

/** Maps every contract of `table` into a call over `http`: no method is written by hand. */
export function createRouteApi<T extends RouteTable>(http: HttpClient, table: T): RouteApi<T> {
  const api: Record<string, Record<string, unknown>> = Object.fromEntries(
    Object.entries(table).map(([area, group]) => [
      area,
      Object.fromEntries(
        Object.entries(group).map(([name, contract]) => [
          name,
          (...args: unknown[]) => callRoute(http, contract, args[0] as never),
        ]),
      ),
    ]),
  );
  // Built from `table` entry by entry, so it has the mapped shape `RouteApi<T>` describes.
  return api as unknown as RouteApi<T>;
}
