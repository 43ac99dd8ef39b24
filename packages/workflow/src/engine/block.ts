import type { StepPhase } from '../journal/journal-record.js';
import type { StepNode } from '../model.js';
import type { BlockOptions, BlockStatus, Executor, NodeOutcome } from './executor.js';
import { blockStatusOf, worse } from './executor.js';
import { notStartedReasons } from './skip-reason.js';
import { abortKindOf } from './step-failure.js';
import type { StepFrame } from './step-frame.js';

/** Resolves the promise returned by `wait` whenever `notify` is called (or was, since). */
class Wakeup {
  private pending = false;
  private resolve: (() => void) | undefined;

  notify(): void {
    if (this.resolve === undefined) this.pending = true;
    else {
      const resolve = this.resolve;
      this.resolve = undefined;
      resolve();
    }
  }

  wait(): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.resolve = resolve));
  }
}

/**
 * Which steps of a block may start: `ready` holds, in list order, the indices whose `needs`
 * (within the block) have all finished; `release(i)` marks step `i` finished. Linear in steps
 * plus edges, so a 1,000-step chain costs no more per step than a 10-step one.
 */
function dependencyQueue(
  nodes: readonly StepNode[],
  ignoreNeeds: boolean,
): { ready: number[]; release: (i: number) => void } {
  const indexOf = new Map(nodes.map((n, i) => [n.id, i]));
  const waitingOn = nodes.map(() => 0);
  const dependants: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    if (ignoreNeeds) return;
    for (const id of new Set(node.needs)) {
      const dep = indexOf.get(id);
      if (dep === undefined || dep === i) continue;
      waitingOn[i] = (waitingOn[i] ?? 0) + 1;
      dependants[dep]?.push(i);
    }
  });
  const ready = nodes.flatMap((_, i) => (waitingOn[i] === 0 ? [i] : []));
  const release = (i: number): void => {
    for (const j of dependants[i] ?? []) {
      waitingOn[j] = (waitingOn[j] ?? 0) - 1;
      if (waitingOn[j] !== 0) continue;
      // keep list order, so a bounded block starts its steps in the order they were written
      let at = ready.length;
      while (at > 0 && (ready[at - 1] ?? 0) > j) at -= 1;
      ready.splice(at, 0, j);
    }
  };
  return { ready, release };
}

/**
 * Runs a list of steps as a DAG: a step starts once the steps it `needs` (within this block)
 * have finished; independent steps run concurrently up to `concurrency`. After a fatal step
 * nothing new starts (unless `stopOnFailure` is off); steps that never started are journaled
 * as `skipped`. A fatal engine error is rethrown once the running steps have settled.
 */
export async function runBlock(
  exec: Executor,
  nodes: readonly StepNode[],
  frame: StepFrame,
  phase: StepPhase,
  options: BlockOptions = {},
): Promise<BlockStatus> {
  const concurrency = options.concurrency ?? Infinity;
  const skipDependents = options.afterFailure === 'skip-dependents';
  const stopOnFailure = !skipDependents && (options.stopOnFailure ?? true);
  // with skip-dependents: the steps that failed, and those skipped because of them, each with
  // the key of the failed step that is the cause
  const blocked = new Map<string, string>();
  const blockedBy = (node: StepNode): string | undefined =>
    skipDependents ? node.needs.map((id) => blocked.get(id)).find((key) => key !== undefined) : undefined;
  const { ready, release } = dependencyQueue(nodes, options.ignoreNeeds === true);
  const started = new Array<boolean>(nodes.length).fill(false);
  const outcomes = new Array<NodeOutcome | undefined>(nodes.length);
  let stoppedBy: number | undefined;
  const wakeup = new Wakeup();
  const signal = exec.run.signal(phase);
  let status: BlockStatus = 'succeeded';
  let stopped = false;
  let running = 0;
  let fatalError: { error: unknown } | undefined;

  for (;;) {
    while (fatalError === undefined && !stopped && !signal.aborted && running < concurrency && ready.length > 0) {
      const i = ready.shift() ?? 0;
      const node = nodes[i];
      if (node === undefined) continue;
      started[i] = true;
      running += 1;
      const cause = blockedBy(node);
      if (cause !== undefined) {
        blocked.set(node.id, cause);
        exec.run.skip(node, frame.keyOf(node), frame, phase, { code: 'DEPENDENCY_FAILED', step: cause }).then(
          () => {
            running -= 1;
            release(i);
            wakeup.notify();
          },
          (error: unknown) => {
            running -= 1;
            fatalError ??= { error };
            wakeup.notify();
          },
        );
        continue;
      }
      exec.runNode(node, frame, phase).then(
        (outcome) => {
          running -= 1;
          outcomes[i] = outcome;
          if (outcome.fatal && skipDependents) blocked.set(node.id, frame.keyOf(node));
          release(i);
          if (outcome.fatal) {
            status = worse(status, blockStatusOf(outcome.status));
            if (stopOnFailure && !stopped) {
              stopped = true;
              stoppedBy = i;
            }
          }
          wakeup.notify();
        },
        (error: unknown) => {
          running -= 1;
          fatalError ??= { error };
          wakeup.notify();
        },
      );
    }
    if (running === 0) break;
    await wakeup.wait();
  }
  if (fatalError !== undefined) throw fatalError.error;
  // Steps never reached (after a failure, a cancel, or on an unsatisfiable `needs`): one
  // concurrent batch of appends, which a file journal turns into a single fsync.
  const reasons = notStartedReasons({
    nodes,
    outcomes,
    started,
    ignoreNeeds: options.ignoreNeeds === true,
    stoppedBy,
    keyOf: (node) => frame.keyOf(node),
    abort: signal.aborted ? { kind: abortKindOf(signal) } : undefined,
  });
  await Promise.all(
    nodes.flatMap((node, i) => {
      const reason = reasons.get(i);
      return reason === undefined ? [] : [exec.run.skip(node, frame.keyOf(node), frame, phase, reason)];
    }),
  );
  return status;
}
