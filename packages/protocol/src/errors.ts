import { z } from 'zod';

/**
 * The error catalogue: every error that crosses a process boundary (HTTP, agent channel, CLI
 * exit) has one of these stable codes. Tests assert codes, never wording.
 */
export const errorCatalogue = {
  // generic request errors
  BAD_REQUEST: { status: 400, title: 'Bad request' },
  VALIDATION_FAILED: { status: 400, title: 'The request does not match the schema' },
  MALFORMED_JSON: { status: 400, title: 'The request body is not valid JSON' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  URI_TOO_LONG: { status: 414, title: 'A path segment of the URL is too long' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The URL or the request headers are too large' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request was not received in time' },
  WEBSOCKET_REQUIRED: { status: 426, title: 'This endpoint speaks WebSocket only' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  CONFLICT: { status: 409, title: 'Conflict' },
  FILE_EXISTS: { status: 409, title: 'The target file already exists' },
  FILE_NOT_FOUND: { status: 404, title: 'The file does not exist' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'Service unavailable' },
  // auth
  UNAUTHENTICATED: { status: 401, title: 'Authentication required' },
  INVALID_CREDENTIALS: { status: 401, title: 'Invalid username or password' },
  FORBIDDEN: { status: 403, title: 'Forbidden' },
  ACCOUNT_LOCKED: { status: 423, title: 'The account is locked after repeated failed logins' },
  CSRF_FAILED: { status: 403, title: 'Missing or mismatched CSRF token' },
  PROJECT_NOT_FOUND: { status: 404, title: 'Project not found' },
  // enrolment and agents
  ENROLLMENT_TOKEN_INVALID: { status: 401, title: 'Enrollment token invalid, used up or expired' },
  ENROLLMENT_PROOF_INVALID: {
    status: 401,
    title: 'The enrolment proof of key possession is invalid, stale or replayed',
  },
  AGENT_NOT_FOUND: { status: 404, title: 'Agent not found' },
  AGENT_NOT_APPROVED: { status: 403, title: 'Agent is not approved' },
  AGENT_REVOKED: { status: 403, title: 'Agent is revoked' },
  AGENT_AUTH_FAILED: { status: 401, title: 'Agent authentication failed' },
  SELECTOR_INVALID: { status: 400, title: 'The label selector is invalid' },
  PROTOCOL_VERSION_UNSUPPORTED: { status: 426, title: 'Protocol version not supported' },
  PROTOCOL_ERROR: { status: 400, title: 'Invalid protocol frame' },
  FRAME_TOO_LARGE: { status: 413, title: 'A channel frame or event is over the size limit' },
  // workflows and jobs
  WORKFLOW_INVALID: { status: 422, title: 'The workflow document is invalid' },
  WORKFLOW_NOT_FOUND: { status: 404, title: 'Workflow not found' },
  WORKFLOW_TOO_LARGE: { status: 400, title: 'The workflow document is over a limit' },
  WORKFLOW_VALIDATION_TIMEOUT: { status: 503, title: 'Validating the workflow document took too long' },
  EXPRESSION_ERROR: { status: 422, title: 'A workflow expression or template could not be evaluated' },
  INPUT_INVALID: { status: 422, title: 'The workflow inputs are invalid' },
  INPUTS_TOO_LARGE: { status: 400, title: 'The job inputs are over a limit' },
  JOB_NOT_FOUND: { status: 404, title: 'Job not found' },
  TARGET_NOT_FOUND: { status: 422, title: 'No agent matches the target' },
  NO_FAILED_AGENTS: { status: 409, title: 'No agent of the job failed: there is nothing to re-run' },
  SEARCH_QUERY_INVALID: { status: 400, title: 'The search query is invalid' },
  ENVELOPE_SIGNATURE_INVALID: { status: 400, title: 'Job envelope signature invalid' },
  // execution
  STEP_FAILED: { status: 500, title: 'Step failed' },
  STEP_TIMEOUT: { status: 504, title: 'Step timed out' },
  RUN_TIMEOUT: { status: 504, title: 'Run timed out' },
  CANCELLED: { status: 409, title: 'Cancelled' },
  INTERRUPTED: { status: 409, title: 'Interrupted by a crash' },
  EXPIRED: { status: 410, title: 'Not delivered to its agent before the job expired' },
  OUTPUTS_NOT_STORED: { status: 422, title: 'Step outputs nested too deep to be stored' },
  POLICY_DENIED: { status: 403, title: 'Denied by the agent policy' },
  CONFIG_INVALID: { status: 400, title: 'Configuration invalid' },
  DEPENDENCY_MISSING: { status: 424, title: 'A required program is missing' },
  JOURNAL_CORRUPT: { status: 500, title: 'The run journal is unreadable' },
  HOST_KEY_MISMATCH: { status: 403, title: 'The remote host key does not match the pinned key' },
  REMOTE_AUTH_FAILED: { status: 401, title: 'Authentication to the remote service failed' },
  CHECKSUM_MISMATCH: { status: 422, title: 'The downloaded file does not match its checksum' },
  SIGNATURE_INVALID: { status: 422, title: 'The downloaded file signature is invalid' },
  // secrets and audit
  SECRET_NOT_FOUND: { status: 422, title: 'A secret the workflow declares does not exist' },
  MASTER_KEY_MISMATCH: { status: 500, title: 'The master key cannot decrypt the stored secrets' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;
export const ErrorCodeSchema = z.enum(Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]]);

/** RFC 9457 problem details as Flotilla sends them (`application/problem+json`). */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  code: ErrorCodeSchema,
  instance: z.string().optional(),
  /** Per-field problems, e.g. schema validation or workflow validation issues. */
  errors: z.array(z.object({ path: z.string(), message: z.string() }).catchall(z.unknown())).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

export interface FlotillaErrorOptions {
  detail?: string | undefined;
  errors?: Problem['errors'];
  cause?: unknown;
}

/** The one family of errors that may be serialised onto the wire. */
export class FlotillaError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: Problem['errors'];

  constructor(code: ErrorCode, options: FlotillaErrorOptions = {}) {
    super(options.detail ?? errorCatalogue[code].title, { cause: options.cause });
    this.name = 'FlotillaError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.errors = options.errors;
  }

  toProblem(instance?: string): Problem {
    return {
      type: `https://flotilla.dev/problems/${this.code.toLowerCase().replaceAll('_', '-')}`,
      title: errorCatalogue[this.code].title,
      status: this.status,
      detail: this.message,
      code: this.code,
      ...(instance === undefined ? {} : { instance }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

export function isFlotillaError(err: unknown): err is FlotillaError {
  return err instanceof FlotillaError;
}
