import type { Kysely } from 'kysely';
import { FlotillaError, MAX_JOB_PAYLOAD_CHARS } from '@flotilla/protocol';
import type { CalledWorkflow } from '@flotilla/protocol';
import {
  calledWorkflowKey,
  locateCalledWorkflow,
  PATH_CALL_PROBLEM,
  resolveWorkflowCalls,
  type CallableWorkflow,
  type CallHost,
  type CallLocation,
  type CallProblem,
  type ValidationCode,
  type WorkflowCallTarget,
} from '@flotilla/workflow';
import type { Database } from '../store/schema.js';
import type { Scope } from '../store/scope.js';
import type { DocumentChecker } from './document-checker.js';
import type { WireProblem } from './document-verdict.js';
import type { AcceptedDocument } from './workflow-document.js';
import { findLiveWorkflowByName, getVersionRow } from './workflow-repo.js';

/**
 * The JSON text the documents a job calls may take in its signed envelope: half of the payload,
 * leaving the rest for the job's own document (1 MiB at most), its inputs (256 KiB) and secrets.
 */
export const CALLED_WORKFLOWS_MAX_CHARS = MAX_JOB_PAYLOAD_CHARS / 2;

/** A stored workflow version, validated, as call resolution needs it. */
interface StoredCallable extends CallableWorkflow {
  readonly stored: CalledWorkflow;
  readonly secrets: readonly string[];
}

/** The workflows a job calls, to keep with it and send in each run's envelope. */
export interface CalledWorkflows {
  workflows: CalledWorkflow[];
  /** The secrets the job's workflow and every workflow it calls declare. */
  secrets: string[];
}

/** How problems in the job's own document are labelled (they are sent without `workflow`). */
const JOB_DOCUMENT = '';

/**
 * Finds callees among the project's stored workflows: a call by name and version runs that
 * version, a call by name alone the latest; or, for a re-run, among the versions its job kept.
 * Each document is validated again with the step catalogue (the catalogue may have changed since
 * it was saved), in the validation worker when it is large.
 */
function storedHost(options: {
  db: Kysely<Database>;
  documents: DocumentChecker;
  scope: Scope;
  pinned: readonly CalledWorkflow[] | undefined;
}): CallHost<StoredCallable> {
  const found = new Map<string, CalledWorkflow>(options.pinned?.map((w) => [calledWorkflowKey(w), w]));

  async function locateStored(target: WorkflowCallTarget): Promise<CallLocation> {
    if (target.path !== undefined) return { kind: 'missing', code: 'INVALID_CONFIG', message: PATH_CALL_PROBLEM };
    const workflow = await findLiveWorkflowByName(options.db, options.scope, target.name);
    if (workflow === undefined) {
      const message = `the project has no workflow named "${target.name}" (save it first: POST /workflows)`;
      return { kind: 'missing', code: 'UNKNOWN_WORKFLOW', message };
    }
    const version = target.version ?? workflow.latest_version;
    const row =
      version > workflow.latest_version
        ? undefined
        : await getVersionRow(options.db, workflow.id, version).catch(() => undefined);
    if (row === undefined) {
      const message = `workflow "${target.name}" has no version ${version} (the latest is ${workflow.latest_version})`;
      return { kind: 'missing', code: 'UNKNOWN_WORKFLOW', message };
    }
    const stored = { name: workflow.name, version, document: row.document };
    found.set(calledWorkflowKey(stored), stored);
    return { kind: 'found', key: calledWorkflowKey(stored) };
  }

  return {
    locate: (target) =>
      options.pinned === undefined ? locateStored(target) : locateCalledWorkflow(options.pinned, target),
    async load(key) {
      const stored = found.get(key);
      if (stored === undefined) throw new Error(`workflow ${key} was loaded before it was located`);
      const verdict = await options.documents.check(stored.document);
      if (!verdict.ok) {
        // the verdict's codes are validation codes, as text on the wire
        const problems = verdict.problems.map((p) => ({ ...p, code: p.code as ValidationCode, document: key }));
        return { ok: false, problems };
      }
      return {
        ok: true,
        workflow: {
          key,
          label: key,
          name: verdict.name,
          inputs: verdict.inputs,
          calls: verdict.calls,
          stored,
          secrets: verdict.secrets,
        },
      };
    },
  };
}

/** A problem as `POST /jobs` sends it: with `workflow: "name@version"` when it is in a called workflow. */
function toWire({ document, ...problem }: CallProblem): WireProblem & { workflow?: string } {
  return document === JOB_DOCUMENT ? problem : { ...problem, workflow: document };
}

/**
 * Resolves, when a job is submitted, every stored workflow its document calls, directly or through
 * others (`resolveWorkflowCalls`: each callee validated, the inputs of each call checked, cycles
 * and chains deeper than `CALL_LIMITS` refused). A re-run passes the versions its job kept
 * (`pinned`), so it runs what the job ran.
 * @throws FlotillaError `WORKFLOW_INVALID` with every problem (`errors[].workflow` names the called
 *   workflow a problem is in), or `WORKFLOW_TOO_LARGE` when the called documents would not fit
 *   in the signed envelope.
 */
export async function resolveCalledWorkflows(options: {
  db: Kysely<Database>;
  documents: DocumentChecker;
  scope: Scope;
  document: AcceptedDocument;
  pinned?: readonly CalledWorkflow[] | undefined;
}): Promise<CalledWorkflows> {
  const { document } = options;
  if (document.calls.length === 0) return { workflows: [], secrets: document.secrets };
  const root: StoredCallable = {
    key: '(job)',
    label: JOB_DOCUMENT,
    name: document.name,
    inputs: document.inputs,
    calls: document.calls,
    stored: { name: document.name, version: 1, document: '' },
    secrets: document.secrets,
  };
  const result = await resolveWorkflowCalls(root, storedHost({ ...options, pinned: options.pinned }));
  if (!result.ok) {
    const detail = result.problems
      .map((p) => `${p.document || '(job)'} ${p.line}:${p.column}: ${p.message}`)
      .join('; ');
    throw new FlotillaError('WORKFLOW_INVALID', {
      detail: `The workflows it calls cannot run: ${detail}`,
      errors: result.problems.map(toWire),
    });
  }
  const callees = [...result.graph.callees.values()];
  const workflows = callees.map((callee) => callee.stored);
  const size = JSON.stringify(workflows).length;
  if (size > CALLED_WORKFLOWS_MAX_CHARS) {
    const message = `the ${workflows.length} workflows it calls take ${size} characters in the job envelope; at most ${CALLED_WORKFLOWS_MAX_CHARS} are allowed`;
    throw new FlotillaError('WORKFLOW_TOO_LARGE', { detail: message, errors: [{ path: 'calledWorkflows', message }] });
  }
  const secrets = new Set(document.secrets);
  for (const callee of callees) for (const name of callee.secrets) secrets.add(name);
  return { workflows, secrets: [...secrets] };
}
