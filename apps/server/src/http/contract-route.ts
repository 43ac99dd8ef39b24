import type {
  FastifyContextConfig,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteShorthandOptions,
} from 'fastify';
import type { z } from 'zod';
import { isJsonResponse } from '@flotilla/protocol';
import type {
  AnyRouteContract,
  EmptyResponse,
  MediaResponse,
  ProblemResponse,
  ResponseMap,
  StatusOf,
} from '@flotilla/protocol';
import { principalOf } from '../auth/auth-plugin.js';
import type { Principal } from '../tenancy/principal.js';
import { parseInput } from './parse-input.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The contract the route was registered from (by `route()`): what the response check holds it to. */
    contract?: AnyRouteContract;
  }
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** Statuses a handler answers with a body of its own (problem statuses are thrown, never returned). */
type BodyStatus<R extends ResponseMap> = { [S in StatusOf<R>]: R[S] extends ProblemResponse ? never : S }[StatusOf<R>];

/** What a handler returns for a declared response: the JSON body, nothing, or the reply it sent itself. */
type HandlerBody<Spec> = Spec extends z.ZodType
  ? z.input<Spec>
  : Spec extends EmptyResponse
    ? // The return type of a handler that returns nothing, which is what a `204` handler does.
      // eslint-disable-next-line @typescript-eslint/no-invalid-void-type
      void
    : Spec extends MediaResponse<infer J>
      ? FastifyReply | (J extends z.ZodType ? z.input<J> : never)
      : never;

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

const STATUS_REPLY = Symbol('status reply');

/** A body with the status to send it with, for routes that declare several (`respond(201, secret)`). */
export interface StatusReply<S extends number, B> {
  readonly [STATUS_REPLY]: true;
  readonly status: S;
  readonly body: B;
}

/** Answers with `status` and `body`: how a handler picks one of several declared statuses. */
export function respond<const S extends number, B>(status: S, body: B): StatusReply<S, B> {
  return { [STATUS_REPLY]: true, status, body };
}

function isStatusReply(value: unknown): value is StatusReply<number, unknown> {
  return typeof value === 'object' && value !== null && STATUS_REPLY in value;
}

/**
 * What the handler of contract `C` may return, checked by the compiler: with one declared body
 * status, the body itself; with several, `respond(status, body)` for one of them. A declared
 * stream or file (`media`) is sent by the handler, which then returns the reply.
 */
export type HandlerResult<C extends AnyRouteContract> =
  | (IsUnion<BodyStatus<C['responses']>> extends false
      ? HandlerBody<C['responses'][BodyStatus<C['responses']>]>
      : never)
  | { [S in BodyStatus<C['responses']>]: StatusReply<S, HandlerBody<C['responses'][S]>> }[BodyStatus<C['responses']>];

/** What a handler receives: its input parsed by the contract's schemas, and who asks. */
export interface RouteCall<C extends AnyRouteContract, Body = Parsed<C['body']>> {
  readonly params: Parsed<C['params']>;
  readonly query: Parsed<C['query']>;
  readonly body: Body;
  /** The authenticated principal; `null` on public routes. */
  readonly principal: C['permission'] extends 'public' ? null : Principal;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

export type RouteHandler<C extends AnyRouteContract, Body = Parsed<C['body']>> = (
  call: RouteCall<C, Body>,
) => HandlerResult<C> | Promise<HandlerResult<C>>;

/** A handler with what else its route needs from Fastify. */
export interface RouteDefinition<C extends AnyRouteContract, BodySchema extends z.ZodType | undefined> {
  handler: RouteHandler<C, BodySchema extends z.ZodType ? z.output<BodySchema> : Parsed<C['body']>>;
  /**
   * Parses the body with this schema instead of the contract's: one that accepts more (an older
   * client's request, to answer it with an error of its own). The contract still documents the body.
   */
  tolerantBody?: BodySchema;
  onRequest?: RouteShorthandOptions['onRequest'];
  /** Route config for plugins (`rateLimit`); the access rule comes from the contract. */
  config?: Omit<FastifyContextConfig, 'contract' | 'permission' | 'public'>;
}

/** The one body status a plain return value is sent with, if the contract declares exactly one. */
function defaultStatus(contract: AnyRouteContract): number | undefined {
  const statuses = Object.entries(contract.responses)
    .filter(([, spec]) => isJsonResponse(spec) || spec.kind !== 'problem')
    .map(([status]) => Number(status));
  return statuses.length === 1 ? statuses[0] : undefined;
}

function hasMedia(contract: AnyRouteContract): boolean {
  return Object.values(contract.responses).some((spec) => !isJsonResponse(spec) && spec.kind === 'media');
}

/**
 * Registers the handler of `contract` (one of `apiRoutes`, or a platform route) on `app`: the
 * access rule comes from the contract (`config.permission` or `config.public`, checked by the auth
 * plugin), params, query and body are parsed with its schemas (`VALIDATION_FAILED` naming every
 * problem), and the handler's return is sent with the declared status. The compiler holds the
 * return to the declared responses; `checkResponses` holds the wire to them in tests.
 */
export function route<C extends AnyRouteContract, BodySchema extends z.ZodType | undefined = undefined>(
  app: FastifyInstance,
  contract: C,
  definition: RouteHandler<C> | RouteDefinition<C, BodySchema>,
): void {
  const { handler, tolerantBody, onRequest, config } =
    typeof definition === 'function' ? { handler: definition } : definition;
  if (!contract.path.startsWith(app.prefix))
    throw new Error(`${contract.method} ${contract.path} is registered under ${app.prefix}`);
  const status = defaultStatus(contract);
  const mayStream = hasMedia(contract);
  const bodySchema: z.ZodType | undefined = tolerantBody ?? contract.body;
  const access = contract.permission === 'public' ? { public: true } : { permission: contract.permission };
  app.route({
    method: contract.method,
    url: contract.path.slice(app.prefix.length),
    config: { ...config, ...access, contract },
    ...(onRequest === undefined ? {} : { onRequest }),
    handler: async (request, reply) => {
      const call = {
        params: contract.params === undefined ? undefined : parseInput(contract.params, request.params, 'params'),
        query: contract.query === undefined ? undefined : parseInput(contract.query, request.query, 'query'),
        body:
          bodySchema === undefined
            ? undefined
            : parseInput(bodySchema, contract.bodyOptional ? (request.body ?? {}) : request.body, 'body'),
        principal: contract.permission === 'public' ? null : principalOf(request),
        request,
        reply,
      };
      // The call is built from the contract's own schemas, which is what its type says.
      const result: unknown = await (handler as (call: unknown) => unknown)(call);
      if (result === reply) {
        if (!mayStream)
          throw new Error(`${contract.method} ${contract.path}: only a declared stream or file is sent by the handler`);
        return reply;
      }
      if (isStatusReply(result)) return reply.status(result.status).send(result.body);
      if (status === undefined)
        throw new Error(
          `${contract.method} ${contract.path} declares several statuses: answer with respond(status, body)`,
        );
      return reply.status(status).send(result);
    },
  });
}
