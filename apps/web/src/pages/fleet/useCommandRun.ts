import {
  computed,
  onScopeDispose,
  ref,
  shallowRef,
  triggerRef,
  type ComputedRef,
  type Ref,
  type ShallowRef,
} from 'vue';
import type { Job, LogLine } from '@flotilla/protocol';
import { api, client } from '../../api/client';
import { describeError } from '../../api/errors';
import { commandWorkflow, type CommandWorkflowOptions } from './command-workflow';

/** Lines kept in the browser; a longer output is still whole on the job's page. */
const MAX_LINES = 5000;

export interface UseCommandRunOptions {
  /** The agent (id or name) every command runs on. */
  agent: () => string;
}

export interface CommandRun {
  /** The output so far, in sequence order (the last `MAX_LINES`). */
  lines: ShallowRef<LogLine[]>;
  /** Lines dropped from the front to keep the page light. */
  dropped: Ref<number>;
  /** The job, as its state last changed. */
  job: ShallowRef<Job | undefined>;
  running: Ref<boolean>;
  error: Ref<string | null>;
  /** The command's exit code, once it has one. */
  exitCode: ComputedRef<number | null>;
  /** How long the run took (ms), once it has started and ended. */
  durationMs: ComputedRef<number | null>;
  /** Submits `options.line` and follows its output until the job ends. */
  start: (options: CommandWorkflowOptions) => Promise<void>;
  /** Stops following (the job itself keeps running; cancel it on its page). */
  stop: () => void;
}

/**
 * An ad-hoc command on one agent, as `flotilla exec --agent` runs it: a one-step `command`
 * workflow submitted with target `{agent}`, its log followed live over the job's log stream
 * (resumed from the last sequence number if it drops).
 */
export function useCommandRun(options: UseCommandRunOptions): CommandRun {
  const lines = shallowRef<LogLine[]>([]);
  const dropped = ref(0);
  const job = shallowRef<Job>();
  const running = ref(false);
  const error = ref<string | null>(null);
  let controller: AbortController | undefined;

  const run = computed(() => job.value?.runs[0]);
  const exitCode = computed(() => run.value?.exitCode ?? null);
  const durationMs = computed(() => {
    const r = run.value;
    if (r?.startedAt == null || r.finishedAt == null) return null;
    return new Date(r.finishedAt).getTime() - new Date(r.startedAt).getTime();
  });

  function stop(): void {
    controller?.abort();
    controller = undefined;
  }

  function append(line: LogLine): void {
    lines.value.push(line);
    const over = lines.value.length - MAX_LINES;
    if (over > 0) {
      lines.value.splice(0, over);
      dropped.value += over;
    }
    triggerRef(lines);
  }

  async function start(workflowOptions: CommandWorkflowOptions): Promise<void> {
    stop();
    lines.value = [];
    dropped.value = 0;
    job.value = undefined;
    error.value = null;
    const own = new AbortController();
    controller = own;
    running.value = true;
    try {
      const workflow = commandWorkflow(workflowOptions);
      job.value = await api.jobs.submit({ body: { workflow, target: { agent: options.agent() } } });
      job.value = await client.followJob(job.value.id, {
        signal: own.signal,
        onLog: append,
        onState: (state) => (job.value = state),
      });
    } catch (err) {
      if (!own.signal.aborted) error.value = describeError(err);
    } finally {
      if (controller === own) {
        running.value = false;
        controller = undefined;
      }
    }
  }

  onScopeDispose(stop);
  return { lines, dropped, job, running, error, exitCode, durationMs, start, stop };
}
