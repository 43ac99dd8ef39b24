import { join } from 'node:path';
import { FlotillaError, isFlotillaError, toFailure, type JobPayload } from '@flotilla/protocol';
import { createStepRegistry, openSharedJournal, systemClock, type Launch, type SharedJournal } from '@flotilla/steps';
import {
  createEngine,
  createSecretMasker,
  type AgentScope,
  type CompiledWorkflow,
  type EngineEvent,
  type Journal,
  type JournalRecord,
  type SecretMasker,
  type StepRegistry,
  type ValidationProblem,
} from '@flotilla/workflow';
import { policyRegistry, policyServices, type AlertSink } from '../policy/policy-steps.js';
import type { PolicySource } from '../policy/policy-store.js';
import { resumeSeed } from './resume-seed.js';
import { journaledStepEvent, toRunEvent, toRunResult } from './run-events.js';
import type { RunEventSink, RunExecutor, RunResult } from './run-executor.js';
import { resolveEnvelopeCalls } from './called-workflows.js';
import { createWorkflowCheck } from './workflow-check.js';

export interface EngineExecutorOptions {
  /** Runs are journaled in `<dataDir>/journal.jsonl`. */
  readonly dataDir: string;
  readonly policy: PolicySource;
  /** Starts step processes: the agent's launcher helper (`useLauncherHelper`), or `spawnDirectly` in tests. */
  readonly launch: Launch;
  /** `agent.name|labels|os` in expressions. */
  readonly agent?: AgentScope | undefined;
  /** @default the built-in steps of `@flotilla/steps` */
  readonly registry?: StepRegistry | undefined;
  /** @default the fsynced shared journal `<dataDir>/journal.jsonl` */
  readonly journal?: Journal | undefined;
  /** Runs a previous process accepted and did not finish: the journal keeps only these. @default all */
  readonly resumable?: readonly string[] | undefined;
  /** How long an aborted step may take to stop before the engine abandons it. @default 5000 */
  readonly abortGraceMs?: number | undefined;
}

/** The workflow engine behind the job runner's seam. */
export interface EngineExecutor extends RunExecutor {
  /** Waits for journal writes and closes the journal files. */
  close(): Promise<void>;
}

/** Where the engine journals runs inside the agent's data dir. */
export function journalPathOf(dataDir: string): string {
  return join(dataDir, 'journal.jsonl');
}

/** Where agents before the shared journal kept one journal per run (moved into it at start). */
function legacyJournalDirOf(dataDir: string): string {
  return join(dataDir, 'journal');
}

/**
 * Runs verified jobs with `@flotilla/workflow`'s engine and the built-in steps, under the
 * agent's live policy, journaling every step start/end durably (SPEC §5.3). A run whose journal
 * already has records is resumed: finished steps are reported again (the server stores them
 * idempotently) and never re-run; a step that was in flight follows its effect class.
 */
export async function createEngineExecutor(options: EngineExecutorOptions): Promise<EngineExecutor> {
  const baseRegistry = options.registry ?? createStepRegistry();
  let shared: SharedJournal | undefined;
  const journal: Journal =
    options.journal ??
    (shared = await openSharedJournal(journalPathOf(options.dataDir), {
      legacyDir: legacyJournalDirOf(options.dataDir),
      keep: options.resumable,
    }));
  // alerts are per run: the run that raised one gets a `system` line, masked like any other
  const runs = new Map<string, { sink: RunEventSink; mask: SecretMasker }>();
  const onAlert: AlertSink = (alert, origin) => {
    const run = runs.get(origin.runId);
    const text = `ALERT [${alert.severity}] ${alert.title}${alert.message === undefined ? '' : `: ${alert.message}`}`;
    run?.sink.emit({
      kind: 'log',
      ts: new Date().toISOString(),
      step: origin.stepId,
      stream: 'system',
      line: run.mask.text(text),
    });
  };
  const host = { policy: options.policy, onAlert, launch: options.launch };
  const registry = policyRegistry(baseRegistry, host);
  const services = policyServices(host);

  const validate = createWorkflowCheck(baseRegistry);

  /** A run that cannot start: every problem as a `system` line, the first one in the run's error. */
  function invalid(sink: RunEventSink, problems: readonly (ValidationProblem & { document?: string })[]): RunResult {
    for (const p of problems) {
      const where = p.document === undefined || p.document === '' ? '' : ` in workflow ${p.document}`;
      const line = `WORKFLOW_INVALID${where} ${p.line}:${p.column}${p.step === undefined ? '' : ` [${p.step}]`} ${p.message} (${p.code})`;
      sink.emit({ kind: 'log', ts: new Date().toISOString(), step: '', stream: 'system', line });
    }
    const first = problems[0];
    const detail = first === undefined ? '' : ` (${first.line}:${first.column} ${first.message})`;
    return {
      state: 'failed',
      exitCode: null,
      error: {
        code: 'WORKFLOW_INVALID',
        message: `the workflow has ${problems.length} problem(s)${detail}`,
        retryable: false,
      },
    };
  }

  async function execute(payload: JobPayload, sink: RunEventSink, signal: AbortSignal): Promise<RunResult> {
    const validated = validate(payload.workflow);
    if (!validated.ok) return invalid(sink, validated.problems);
    // the workflows it calls, from the envelope, checked before anything runs
    const calls = await resolveEnvelopeCalls(payload, validated.workflow, validate);
    if (!calls.ok) return invalid(sink, calls.problems);
    const { runId } = payload;
    let records: JournalRecord[];
    try {
      records = await journal.read(runId);
    } catch (err) {
      // nobody can tell what ran: never guess, never re-run
      const error = isFlotillaError(err)
        ? toFailure(err)
        : { code: 'INTERRUPTED' as const, message: 'the run journal is unreadable', retryable: false };
      return { state: 'interrupted', exitCode: null, error };
    }
    if (records.length === 0 && Object.keys(payload.completedSteps).length > 0) {
      let seed: ReturnType<typeof resumeSeed>;
      try {
        seed = resumeSeed(payload, validated.workflow, systemClock.now());
      } catch (err) {
        if (isFlotillaError(err)) return { state: 'failed', exitCode: null, error: toFailure(err) };
        throw err;
      }
      for (const record of seed.records) await journal.append(runId, record);
      for (const key of seed.ignored) {
        sink.emit({
          kind: 'log',
          ts: new Date().toISOString(),
          step: key,
          stream: 'system',
          line: 'completed step ignored: its status is not a step status; the step runs again',
        });
      }
      records = seed.records;
    } else {
      // a resumed run: what the previous process finished may not have reached the outbox
      for (const record of records) if (record.type === 'step.finished') sink.emit(journaledStepEvent(record));
    }
    const startedAt = records.find((r) => r.type === 'run.started')?.ts ?? systemClock.now();

    // The engine knows one kind of abort (cancel: kill, `finally`, `cancelled`); an agent stop
    // uses it too and is then reported as `interrupted`.
    const stopping = (): boolean => isFlotillaError(signal.reason) && signal.reason.code === 'INTERRUPTED';
    const onEvent = (event: EngineEvent): void => {
      const mapped = toRunEvent(event, signal.aborted && stopping());
      if (mapped !== undefined) sink.emit(mapped);
    };
    const engine = createEngine({
      registry,
      clock: systemClock,
      journal,
      services,
      onEvent,
      abortGraceMs: options.abortGraceMs,
      resolveWorkflow: calls.resolveWorkflow,
    });
    runs.set(runId, { sink, mask: createSecretMasker(Object.values(payload.secrets)) });
    try {
      const workflow = withDeadline(validated.workflow, payload.deadline, startedAt);
      const record = await engine.run({
        runId,
        workflow,
        inputs: payload.inputs,
        secrets: payload.secrets,
        agent: options.agent,
        job: { id: payload.jobId },
        signal,
      });
      return toRunResult(record, signal.aborted && stopping());
    } catch (err) {
      if (isFlotillaError(err)) return { state: 'failed', exitCode: null, error: toFailure(err) };
      throw err;
    } finally {
      runs.delete(runId);
    }
  }

  return {
    execute,
    release: (runId) => void journal.remove(runId).catch(() => undefined),
    close: async () => {
      await shared?.close();
    },
  };
}

/** The workflow with its timeout shortened so the run ends by the job's `deadline` (RFC 3339). */
function withDeadline(workflow: CompiledWorkflow, deadline: string | undefined, startedAt: number): CompiledWorkflow {
  if (deadline === undefined) return workflow;
  const at = Date.parse(deadline);
  if (Number.isNaN(at))
    throw new FlotillaError('VALIDATION_FAILED', { detail: `the deadline "${deadline}" is not an RFC 3339 time` });
  // the engine treats 0 as "no timeout": a deadline already past must still end the run at once
  const left = Math.max(1, at - startedAt);
  const current = Number.isFinite(workflow.timeoutMs) && workflow.timeoutMs > 0 ? workflow.timeoutMs : Infinity;
  return { ...workflow, timeoutMs: Math.min(current, left) };
}
