import { FlotillaError } from '@flotilla/protocol';
import type { StepFailure } from '@flotilla/protocol';
import type { JournalRecord, RunStatus } from '../journal/journal-record.js';
import { compactJournal, replayJournal } from '../journal/journal-replay.js';
import type { RunReplay } from '../journal/journal-replay.js';
import { workflowDisplayNames } from './display-names.js';
import { compileEngineOptions } from './engine-options.js';
import type { CompiledEngineOptions, EngineOptions } from './engine-options.js';
import type { BlockStatus, Executor } from './executor.js';
import { createExecutor } from './node-runner.js';
import { RunContext } from './run-context.js';
import { applyInputs } from './run-inputs.js';
import { stepRecordOf } from './run-record.js';
import type { RunRecord, RunRequest } from './run-record.js';
import { createSecretMasker } from './secret-masker.js';
import { abortKindOf, EngineAbortError, formatMs } from './step-failure.js';
import { StepFrame } from './step-frame.js';
import { probeRootScope } from '../probe/runtime/probe-root.js';

/** Executes workflow runs; one engine serves any number of concurrent runs. */
export interface Engine {
  /**
   * Runs a workflow, or resumes it when the journal already holds records for `runId`
   * (finished steps are not run again; a run already finished is returned as recorded).
   * Resolves with the run's outcome whatever it is. Rejects only when the inputs are invalid
   * (`INPUT_INVALID`, before anything ran) or when the journal failed, in which case the run
   * stopped where it was and a later `run` with the same id resumes it.
   */
  run(request: RunRequest): Promise<RunRecord>;
}

const ABORT_ERRORS: Record<Exclude<RunStatus, 'succeeded'>, StepFailure> = {
  failed: { code: 'STEP_FAILED', message: 'a step failed', retryable: false },
  cancelled: { code: 'CANCELLED', message: 'the run was cancelled', retryable: false },
  timed_out: { code: 'RUN_TIMEOUT', message: 'the run exceeded its timeout', retryable: false },
  interrupted: { code: 'INTERRUPTED', message: 'a step was interrupted by a crash', retryable: false },
};

function runStatusOf(run: RunContext, main: BlockStatus): RunStatus {
  const abort = abortKindOf(run.mainController.signal);
  if (abort === 'cancelled') return 'cancelled';
  if (abort === 'deadline') return 'timed_out';
  if (main === 'interrupted' || main === 'cancelled') return main;
  return main === 'succeeded' ? 'succeeded' : 'failed';
}

function recordOf(
  replay: RunReplay,
  run: { finished: RunContext['finished']; resumed: boolean; workflowName: string },
): RunRecord {
  const started = replay.started;
  const finished = replay.finished;
  if (started === undefined || finished === undefined) throw new Error('recordOf needs a started and finished run');
  return {
    runId: started.runId,
    workflow: run.workflowName,
    status: finished.status,
    inputs: started.inputs,
    resumed: run.resumed,
    startedAt: started.ts,
    finishedAt: finished.ts,
    durationMs: Math.max(0, finished.ts - started.ts),
    ...(finished.error === undefined ? {} : { error: finished.error }),
    steps: run.finished.map(stepRecordOf),
  };
}

/** Compensation: the rollback of every completed step, latest completion first. */
async function rollback(exec: Executor): Promise<void> {
  for (const completed of exec.run.rollbackOrder()) {
    if (completed.node.rollback === undefined) continue;
    await exec.runNode(completed.node.rollback, completed.frame, 'rollback', `${completed.key}#rollback`);
  }
}

/** Arms the run deadline, measured from the run's first start (also across restarts). */
function armDeadline(options: CompiledEngineOptions, run: RunContext, startedAt: number): AbortController {
  const timer = new AbortController();
  const timeoutMs = run.init.workflow.timeoutMs;
  if (Number.isFinite(timeoutMs) && timeoutMs > 0) {
    const remaining = Math.max(0, startedAt + timeoutMs - options.clock.now());
    options.clock.sleep(remaining, timer.signal).then(
      () => {
        if (!timer.signal.aborted) {
          run.mainController.abort(
            new EngineAbortError('deadline', `the run exceeded its timeout of ${formatMs(timeoutMs)}`),
          );
        }
      },
      () => undefined,
    );
  }
  return timer;
}

async function execute(options: CompiledEngineOptions, request: RunRequest): Promise<RunRecord> {
  const { journal, clock } = options;
  const { runId, workflow } = request;
  const records = await journal.read(runId);
  const replay = replayJournal(records);
  const resumed = replay.started !== undefined;
  const inputs = replay.started?.inputs ?? applyInputs(workflow.inputs, request.inputs ?? {});
  // the name with its placeholders resolved (a journal seeded by a host may hold it as written)
  const names = workflowDisplayNames(workflow, inputs);
  const journaledAs = replay.started?.workflow;
  if (journaledAs !== undefined && journaledAs !== names.name && journaledAs !== workflow.name) {
    throw new FlotillaError('CONFLICT', {
      detail: `run ${runId} is journaled for workflow "${journaledAs}", not "${names.name}"`,
    });
  }
  const secrets = request.secrets ?? {};
  const run = new RunContext(options, {
    runId,
    workflow,
    workflowName: names.name,
    secrets,
    mask: createSecretMasker(Object.values(secrets)),
    replay,
    records,
    agent: request.agent,
    job: request.job,
  });
  if (replay.finished !== undefined)
    return recordOf(replay, { finished: run.finished, resumed, workflowName: names.name });

  const startedAt = replay.started?.ts ?? clock.now();
  if (!resumed) await run.append({ type: 'run.started', ts: startedAt, runId, workflow: names.name, inputs });
  run.emit({
    kind: 'run.started',
    runId,
    ts: clock.now(),
    workflow: names.name,
    ...(names.description === undefined ? {} : { description: names.description }),
    resumed,
  });

  const onCancel = (): void => {
    run.mainController.abort(new EngineAbortError('cancelled', 'the run was cancelled'));
  };
  request.signal?.addEventListener('abort', onCancel, { once: true });
  if (request.signal?.aborted === true) onCancel();
  const deadline = armDeadline(options, run, startedAt);
  try {
    const exec = createExecutor(run);
    const probe = workflow.probe === undefined ? undefined : probeRootScope(workflow.probe, request, secrets);
    const root = new StepFrame({
      workflow,
      inputs,
      vars: workflow.variables,
      steps: {},
      prefix: '',
      probe: probe?.scope,
    });
    let main: BlockStatus;
    if (probe?.failure !== undefined) {
      // probe's `vars` failed: the run stops before its first job
      const reason = { code: 'RUN_STOPPED' as const };
      await Promise.all(workflow.steps.map((node) => run.skip(node, root.keyOf(node), root, 'main', reason)));
      run.firstFailure = probe.failure;
      main = 'failed';
    } else {
      main = await exec.runBlock(workflow.steps, root, 'main', { afterFailure: workflow.afterFailure });
    }
    // the deadline bounds the steps; compensation and `finally` are bounded by their own timeouts
    deadline.abort();
    let status = runStatusOf(run, main);
    if (workflow.onFailure === 'rollback' && status !== 'succeeded') await rollback(exec);
    run.runStatus = status;
    if (workflow.finally.length > 0) {
      const cleanup = await exec.runBlock(workflow.finally, root, 'finally', { stopOnFailure: false });
      if (cleanup === 'interrupted' && (status === 'succeeded' || status === 'failed')) status = 'interrupted';
      else if (status === 'succeeded' && cleanup !== 'succeeded') status = 'failed';
      run.runStatus = status;
    }
    const error =
      status === 'succeeded'
        ? undefined
        : status === 'failed' || status === 'interrupted'
          ? (run.firstFailure ?? ABORT_ERRORS[status])
          : ABORT_ERRORS[status];
    const finished: JournalRecord = {
      type: 'run.finished',
      ts: clock.now(),
      status,
      ...(error === undefined ? {} : { error }),
    };
    await run.append(finished);
    run.emit({
      kind: 'run.finished',
      runId,
      ts: finished.ts,
      status,
      error,
      durationMs: Math.max(0, finished.ts - startedAt),
    });
    // A short journal replays at once: rewriting it (temp file, fsync, rename) would cost more
    // than it saves. The outcome is durable either way; a failed compaction only leaves a longer
    // journal.
    if (options.compactOnFinish && run.records.length > COMPACT_MIN_RECORDS) {
      await journal.compact(runId, compactJournal(run.records)).catch(() => undefined);
    }
    return recordOf(replayJournal(run.records), { finished: run.finished, resumed, workflowName: names.name });
  } catch (err) {
    run.failFatal(err);
    throw err;
  } finally {
    deadline.abort();
    request.signal?.removeEventListener('abort', onCancel);
  }
}

/** Finished journals with at most this many records are left as they are (see compactOnFinish). */
const COMPACT_MIN_RECORDS = 8;

/** Creates an engine (STYLE rule 6: everything it touches is injected through `options`). */
export function createEngine(options: EngineOptions): Engine {
  const compiled = compileEngineOptions(options);
  return { run: (request) => execute(compiled, request) };
}
