import type { JobEnvelope, JobPayload } from '@flotilla/protocol';
import type { ServerKey } from '../bootstrap/server-key.js';
import type { RunOffer } from './run-repo.js';

/**
 * Builds a signed job envelope: `payload` is the exact JSON text that is signed (the agent
 * verifies these bytes with the pinned server key before parsing them). `secrets` are the
 * decrypted values the workflow declares: they exist only in this envelope, never in storage.
 */
export function signJobEnvelope(
  serverKey: ServerKey,
  offer: RunOffer,
  issuedAt: string,
  secrets: Record<string, string>,
): JobEnvelope {
  const body: JobPayload = {
    jobId: offer.jobId,
    runId: offer.runId,
    agentId: offer.agentId,
    workflow: offer.workflowText,
    inputs: offer.inputs,
    issuedAt,
    secrets,
    completedSteps: offer.completedSteps,
    // only when it calls some: an agent older than the field refuses a payload that has it
    ...(offer.calledWorkflows.length === 0 ? {} : { calledWorkflows: offer.calledWorkflows }),
  };
  const payload = JSON.stringify(body);
  return { payload, signature: serverKey.sign(payload) };
}
