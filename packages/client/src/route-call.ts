import type { z } from 'zod';
import { isJsonResponse, routePath } from '@flotilla/protocol';
import type {
  AnyRouteContract,
  EmptyResponse,
  MediaResponse,
  PathValue,
  RouteInput,
  SuccessStatus,
} from '@flotilla/protocol';
import { FlotillaClientError } from './client-error.js';
import { responseError, safeJson, type HttpClient, type QueryValue } from './http-client.js';

/** What the client returns for a declared success response. */
type ClientBody<Spec> = Spec extends z.ZodType
  ? z.output<Spec>
  : Spec extends EmptyResponse
    ? undefined
    : Spec extends MediaResponse<infer J>
      ? J extends z.ZodType
        ? z.output<J>
        : Response
      : never;

/**
 * What a call of route `C` resolves to: the parsed body of its declared success responses,
 * `undefined` for `204`, or, for a declared stream or file, the unread `Response`.
 */
export type RouteResult<C extends AnyRouteContract> = {
  [S in SuccessStatus<C['responses']>]: ClientBody<C['responses'][S]>;
}[SuccessStatus<C['responses']>];

/** The arguments of a call of route `C`: its input, which may be left out when nothing in it is required. */
export type RouteArgs<C extends AnyRouteContract> =
  object extends RouteInput<C> ? [input?: RouteInput<C>] : [input: RouteInput<C>];

function unexpected(contract: AnyRouteContract, detail: string): FlotillaClientError {
  return new FlotillaClientError(
    'invalid-response',
    `unexpected response from ${contract.method} ${contract.path}: ${detail}`,
  );
}

async function parseJson(contract: AnyRouteContract, schema: z.ZodType, response: Response): Promise<unknown> {
  const parsed = schema.safeParse(safeJson(await response.text()));
  if (!parsed.success) throw unexpected(contract, parsed.error.message);
  return parsed.data;
}

/**
 * Calls the route of `contract`: fills in its path, sends its query and body as given (the server
 * parses them), and parses the answer with the contract's schema for the status it came with.
 * A problem answer becomes a `FlotillaError` with the server's code; a status or body the
 * contract does not declare is the client's own `FlotillaClientError` (`invalid-response`).
 */
export async function callRoute<C extends AnyRouteContract>(
  http: HttpClient,
  contract: C,
  input: RouteInput<C> = {} as RouteInput<C>,
): Promise<RouteResult<C>> {
  // Path and query values are what `RouteInput` allows: text, numbers and booleans.
  const { params, query, body } = input as {
    params?: Record<string, PathValue>;
    query?: Record<string, QueryValue>;
    body?: unknown;
  };
  const response = await http.fetch({ method: contract.method, path: routePath(contract, params), query, body });
  if (!response.ok) throw await responseError(response);
  const spec = contract.responses[response.status];
  if (spec === undefined || (!isJsonResponse(spec) && spec.kind === 'problem')) {
    await response.body?.cancel();
    throw unexpected(contract, `status ${response.status} is not declared`);
  }
  // The parse above follows the contract of `C`, which is what `RouteResult<C>` says.
  if (isJsonResponse(spec)) return (await parseJson(contract, spec, response)) as RouteResult<C>;
  if (spec.kind === 'empty') {
    await response.body?.cancel();
    return undefined as RouteResult<C>;
  }
  const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
  if (spec.json !== undefined) {
    if (!json) throw unexpected(contract, `a ${spec.contentType} stream where JSON was expected`);
    return (await parseJson(contract, spec.json, response)) as RouteResult<C>;
  }
  return response as RouteResult<C>;
}
