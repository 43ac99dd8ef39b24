import { FlotillaError } from '@flotilla/protocol';
import type { CalledWorkflow, Job, JobTarget } from '@flotilla/protocol';
import { applyInputs, inputLimitProblem, workflowDisplayNames } from '@flotilla/workflow';
import type { TemplatedName } from '../workflows/document-verdict.js';
import { appendAuditEvent, type AuditEntry } from '../audit/audit-log.js';
import type { ServerContext } from '../server-context.js';
import { assertRunSecretsExist } from '../secrets/secret-repo.js';
import type { Scope } from '../store/scope.js';
import { isoAfter } from '../store/time.js';
import { resolveCalledWorkflows } from '../workflows/called-workflows.js';
import { acceptDocument } from '../workflows/workflow-document.js';
import { createJob, getJob } from './job-repo.js';
import type { NewRun } from './job-repo.js';
import { resolveTarget } from './job-target.js';
import { findStoredWorkflowVersion } from './stored-workflow-version.js';

/** A job to accept: from `POST /jobs`, or copied from an earlier job by a re-run. */
export interface JobSubmission {
  workflowText: string;
  target: JobTarget;
  inputs: Record<string, unknown>;
  expiresInMs: number | null;
  createdBy: string | null;
  rerunOf?: string | undefined;
  /** A re-run: the workflow versions its job called (resolved from the project otherwise). */
  calledWorkflows?: readonly CalledWorkflow[] | undefined;
  /** Resume data per agent id (`from: failed`). */
  completedSteps?: ReadonlyMap<string, NonNullable<NewRun['completedSteps']>> | undefined;
  /** The job's audit record, written in the job's own transaction. */
  audit: (job: { id: string; workflowName: string; runs: number }) => AuditEntry;
}

/** `INPUTS_TOO_LARGE` when the inputs are over `INPUT_LIMITS` (checked before they are serialised anywhere). */
function checkInputLimits(inputs: Record<string, unknown>): void {
  const problem = inputLimitProblem(inputs);
  if (problem !== undefined) {
    throw new FlotillaError('INPUTS_TOO_LARGE', {
      detail: `The job inputs are over a limit: ${problem.message}`,
      errors: [problem],
    });
  }
}

/**
 * The job's workflow name as its runs will show it: placeholders resolved with the job's inputs
 * (defaults applied) and the workflow's variables. Inputs the agent will refuse leave the name
 * as written (the runs then fail with INPUT_INVALID).
 */
function jobWorkflowName(
  workflow: { name: string; templatedName?: TemplatedName | undefined },
  inputs: Record<string, unknown>,
): string {
  const templated = workflow.templatedName;
  if (templated === undefined) return workflow.name;
  try {
    return workflowDisplayNames(templated, applyInputs(templated.inputs, inputs)).name;
  } catch {
    return workflow.name;
  }
}

/**
 * Accepts a job: validates, resolves the target, persists the job, every run and the audit
 * record in one transaction (before anything is sent or answered: an accepted job survives a
 * crash, SPEC §6, and is never without its audit record), then has the replicas holding its
 * first batch's agents offer them the runs (up to their free slots).
 */
export async function submitJob(ctx: ServerContext, scope: Scope, submission: JobSubmission): Promise<Job> {
  checkInputLimits(submission.inputs);
  // The whole document, step configs included (the agent checks it again with the same catalogue):
  // WORKFLOW_INVALID or WORKFLOW_TOO_LARGE with line/column.
  const workflow = await acceptDocument(ctx.documents, submission.workflowText);
  // The workflows it calls, found now and kept with the job (WORKFLOW_INVALID with every problem).
  const called = await resolveCalledWorkflows({
    db: ctx.store.db,
    documents: ctx.documents,
    scope,
    document: workflow,
    pinned: submission.calledWorkflows,
  });
  // Every declared secret must exist now (a missing one refuses the job with 422 SECRET_NOT_FOUND);
  // values are decrypted only when a run's envelope is signed.
  await assertRunSecretsExist({ db: ctx.store.db, scope, names: called.secrets });
  const workflowName = jobWorkflowName(workflow, submission.inputs);
  const resolved = await resolveTarget(ctx.store.db, scope, submission.target, (ids) => ctx.bus.presence.holders(ids));
  const storedVersion = await findStoredWorkflowVersion(ctx.store.db, scope, {
    name: workflow.name,
    text: submission.workflowText,
  });
  const { jobId } = await createJob(
    ctx.store,
    scope,
    {
      workflowName,
      workflowText: submission.workflowText,
      storedVersion,
      secretNames: called.secrets,
      calledWorkflows: called.workflows,
      inputs: submission.inputs,
      target: submission.target,
      runs: resolved.agents.map((a) => ({
        agentId: a.id,
        batch: a.batch,
        completedSteps: submission.completedSteps?.get(a.id),
      })),
      rollout: resolved.rollout,
      expiresAt: submission.expiresInMs === null ? null : isoAfter(submission.expiresInMs),
      createdBy: submission.createdBy,
      rerunOf: submission.rerunOf,
    },
    (trx, id) =>
      appendAuditEvent(trx, ctx.store.dialect, submission.audit({ id, workflowName, runs: resolved.agents.length })),
  );
  await ctx.bus.events.publish({ type: 'job.created', tenantId: scope.tenantId, projectId: scope.projectId, jobId });
  await ctx.dispatcher.pump(resolved.agents.filter((a) => a.batch === 0).map((a) => a.id));
  const job = await getJob(ctx.store.db, scope, jobId);
  if (job === undefined) throw new Error(`job ${jobId} vanished right after it was created`);
  return job;
}
