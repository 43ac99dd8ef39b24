import type { z } from 'zod';
import type { AnyRouteContract } from './define-route.js';
import type { ResponseMap } from './responses.js';

/**
 * A path or query value as a caller passes it. Coercing schemas (`z.coerce.number()`) take
 * `unknown`; on the wire such a value is text, so a caller passes a string, number or boolean.
 */
type WireValue<T> = unknown extends T ? string | number | boolean : T;

/** Path parameters or a query string as a caller passes them. */
export type WireObject<T> = { [K in keyof T]: WireValue<T[K]> };

type ParamsInput<C extends AnyRouteContract> = C['params'] extends z.ZodType
  ? { params: WireObject<z.input<C['params']>> }
  : { params?: undefined };

type QueryInput<C extends AnyRouteContract> = C['query'] extends z.ZodType
  ? object extends WireObject<z.input<C['query']>>
    ? { query?: WireObject<z.input<C['query']>> }
    : { query: WireObject<z.input<C['query']>> }
  : { query?: undefined };

type BodyInput<C extends AnyRouteContract> = C['body'] extends z.ZodType
  ? C['bodyOptional'] extends true
    ? { body?: z.input<C['body']> }
    : { body: z.input<C['body']> }
  : { body?: undefined };

/** What a caller of route `C` passes: its path parameters, query and body, each where the contract has one. */
export type RouteInput<C extends AnyRouteContract> = ParamsInput<C> & QueryInput<C> & BodyInput<C>;

/** The declared statuses of a response map. */
export type StatusOf<R extends ResponseMap> = Extract<keyof R, number>;

/** The declared `2xx` statuses of a response map. */
export type SuccessStatus<R extends ResponseMap> = {
  [S in StatusOf<R>]: `${S}` extends `2${string}` ? S : never;
}[StatusOf<R>];
