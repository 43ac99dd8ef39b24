import { createHash } from 'node:crypto';
import { arch, hostname, platform } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  apiRoutes,
  EnrollResponseSchema,
  ErrorCodeSchema,
  FLOTILLA_VERSION,
  FlotillaError,
  enrollProofMessage,
  type EnrollRequest,
  type EnrollResponse,
} from '@flotilla/protocol';
import { Backoff } from '../connection/backoff.js';
import type { AgentLogger } from '../logger.js';
import type { CompiledAgentOptions } from '../options.js';
import type { AgentKey } from './agent-key.js';

export interface EnrollContext {
  readonly options: CompiledAgentOptions;
  readonly token: string;
  /** The agent's key: its public half is enrolled, its private half signs the proof. */
  readonly key: Pick<AgentKey, 'publicKey' | 'sign'>;
  readonly logger: AgentLogger;
  readonly signal?: AbortSignal | undefined;
}

/** A failure that another attempt may fix (network down, server restarting, 5xx). */
class RetryableEnrollError extends Error {}

/**
 * `POST /api/v1/agents/enroll`. Network errors and 5xx/429 answers are retried with backoff;
 * a problem answer (token invalid, used up, expired…) is fatal and surfaces its `code`.
 */
export async function enroll(ctx: EnrollContext): Promise<EnrollResponse> {
  const backoff = new Backoff({ baseMs: ctx.options.reconnectBaseMs, capMs: ctx.options.reconnectCapMs });
  for (;;) {
    try {
      return await enrollOnce(ctx);
    } catch (err) {
      if (!(err instanceof RetryableEnrollError)) throw err;
      const delay = backoff.next();
      ctx.logger.warn({ err: err.message, retryInMs: delay }, 'enrolment failed; retrying');
      await sleep(delay, undefined, { signal: ctx.signal });
    }
  }
}

async function enrollOnce(ctx: EnrollContext): Promise<EnrollResponse> {
  const url = `${ctx.options.serverUrl}${apiRoutes.agents.enroll.path}`;
  const body = signedRequest(ctx);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: ctx.signal ?? null,
    });
  } catch (err) {
    if (ctx.signal?.aborted === true) throw err;
    throw new RetryableEnrollError(`cannot reach ${url}: ${describe(err)}`, { cause: err });
  }
  const json = await response.json().catch(() => undefined);
  if (response.ok) {
    const parsed = EnrollResponseSchema.safeParse(json);
    if (!parsed.success || !/^[A-Za-z0-9+/]{43}=$/.test(parsed.data.serverPublicKey)) {
      throw new FlotillaError('PROTOCOL_ERROR', { detail: `unexpected enrolment response from ${url}` });
    }
    return parsed.data;
  }
  if (response.status >= 500 || response.status === 429) {
    throw new RetryableEnrollError(`${url} answered HTTP ${response.status}`);
  }
  throw problemToError(json, response.status, url);
}

/**
 * The request with a fresh version-1 proof: every attempt is signed anew (the server refuses a
 * proof it has seen, and one whose timestamp is more than 10 minutes off its clock).
 */
function signedRequest(ctx: EnrollContext): EnrollRequest {
  const fields = {
    token: ctx.token,
    publicKey: ctx.key.publicKey,
    name: ctx.options.name,
    labels: { ...ctx.options.labels },
    facts: { hostname: hostname().slice(0, 255), os: platform(), arch: arch(), agentVersion: FLOTILLA_VERSION },
  };
  const timestamp = new Date().toISOString();
  const tokenDigest = createHash('sha256').update(ctx.token, 'utf8').digest('hex');
  const signature = ctx.key.sign(enrollProofMessage({ ...fields, tokenDigest, timestamp }));
  return { ...fields, proof: { version: 1, timestamp, signature } };
}

function problemToError(json: unknown, status: number, url: string): FlotillaError {
  const problem = (typeof json === 'object' && json !== null ? json : {}) as { code?: unknown; detail?: unknown };
  const code = ErrorCodeSchema.safeParse(problem.code);
  if (code.success) {
    const detail = typeof problem.detail === 'string' ? problem.detail : undefined;
    return new FlotillaError(code.data, { detail: `enrolment refused: ${detail ?? code.data}` });
  }
  return new FlotillaError('CONFIG_INVALID', {
    detail: `enrolment failed: ${url} answered HTTP ${status}; is the server URL the control plane's?`,
  });
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}
