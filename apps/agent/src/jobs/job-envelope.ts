import type { KeyObject } from 'node:crypto';
import { JobPayloadSchema, type ErrorCode, type JobEnvelope, type JobPayload } from '@flotilla/protocol';
import { verifyEd25519 } from '@flotilla/node-kit';

/** The outcome of checking a job envelope: a trusted payload, or why it was refused. */
export type EnvelopeCheck =
  | { readonly ok: true; readonly payload: JobPayload }
  | { readonly ok: false; readonly runId: string | undefined; readonly code: ErrorCode; readonly message: string };

/** Run ids become file names in the journal, so only a safe alphabet is accepted. */
const RUN_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Verifies a job envelope BEFORE anything in it is trusted: the Ed25519 signature of the pinned
 * control-plane key over the exact `payload` bytes, then the payload's shape, then that it is
 * addressed to this agent.
 */
export function openJobEnvelope(envelope: JobEnvelope, serverKey: KeyObject, agentId: string): EnvelopeCheck {
  if (!verifyEd25519(serverKey, envelope.payload, envelope.signature)) {
    return {
      ok: false,
      runId: untrustedRunId(envelope.payload),
      code: 'ENVELOPE_SIGNATURE_INVALID',
      message: 'the job envelope is not signed by the pinned control-plane key',
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(envelope.payload);
  } catch {
    return { ok: false, runId: undefined, code: 'PROTOCOL_ERROR', message: 'the signed job payload is not JSON' };
  }
  const parsed = JobPayloadSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      runId: untrustedRunId(envelope.payload),
      code: 'PROTOCOL_ERROR',
      message: 'the signed job payload does not match the schema',
    };
  }
  const payload = parsed.data;
  if (payload.agentId !== agentId) {
    return {
      ok: false,
      runId: payload.runId,
      code: 'ENVELOPE_SIGNATURE_INVALID',
      message: `the job is addressed to agent ${payload.agentId}, not to this agent`,
    };
  }
  if (!RUN_ID_RE.test(payload.runId)) {
    return {
      ok: false,
      runId: undefined,
      code: 'PROTOCOL_ERROR',
      message: 'the run id has characters outside [A-Za-z0-9_-]',
    };
  }
  return { ok: true, payload };
}

/** The run id of a payload we do not trust, only to correlate the rejection. */
function untrustedRunId(payload: string): string | undefined {
  try {
    const runId: unknown = (JSON.parse(payload) as { runId?: unknown }).runId;
    return typeof runId === 'string' && RUN_ID_RE.test(runId) ? runId : undefined;
  } catch {
    return undefined;
  }
}
