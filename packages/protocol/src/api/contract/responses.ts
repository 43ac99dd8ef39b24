import { z } from 'zod';

/** A response without a body (`204`, or a redirect-like answer). */
export interface EmptyResponse {
  readonly kind: 'empty';
  readonly description: string;
}

/** A documented error status: its body is a problem document (RFC 9457), thrown, never returned. */
export interface ProblemResponse {
  readonly kind: 'problem';
}

/**
 * A body that is not one JSON document: a stream (server-sent events, JSON lines), git's pack
 * protocol. `json`: the same status answers a JSON document with this schema unless the request
 * asks for the stream (`GET /jobs/:id/logs` without `follow=1`).
 */
export interface MediaResponse<J extends z.ZodType | undefined = z.ZodType | undefined> {
  readonly kind: 'media';
  readonly contentType: string;
  readonly description: string;
  readonly json: J;
}

/** One declared response: a Zod schema (an `application/json` body) or one of the kinds above. */
export type ResponseSpec = z.ZodType | EmptyResponse | ProblemResponse | MediaResponse;

/** The declared responses of a route, by HTTP status. */
export type ResponseMap = Readonly<Record<number, ResponseSpec>>;

/** No body (`204 No Content`). */
export const noBody: EmptyResponse = { kind: 'empty', description: 'No content' };

/** An error status worth documenting; every route may also answer any other problem. */
export const problem: ProblemResponse = { kind: 'problem' };

/** A non-JSON body of `contentType`; with `options.json`, a JSON answer is possible too. */
export function media(contentType: string, description: string): MediaResponse<undefined>;
export function media<J extends z.ZodType>(
  contentType: string,
  description: string,
  options: { json: J },
): MediaResponse<J>;
export function media(contentType: string, description: string, options?: { json: z.ZodType }): MediaResponse {
  return { kind: 'media', contentType, description, json: options?.json };
}

/** Whether a declared response is a JSON body (a Zod schema). */
export function isJsonResponse(spec: ResponseSpec | undefined): spec is z.ZodType {
  return spec instanceof z.ZodType;
}
