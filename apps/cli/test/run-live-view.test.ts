import type { CompiledWorkflow, EngineEvent, StepNode } from '@flotilla/workflow';
import { describe, expect, it } from 'vitest';
import { createPalette } from '../src/output/colour.js';
import { createLiveView } from '../src/output/live-view.js';
import { placeOf, StepLabels } from '../src/output/step-labels.js';

function node(id: string, name = id, tasks?: StepNode[]): StepNode {
  return {
    id,
    name,
    type: tasks === undefined ? 'command' : 'parallel',
    config: {},
    needs: [],
    timeoutMs: 1000,
    retry: { attempts: 1, delayMs: 0, backoff: 'fixed', maxDelayMs: 0 },
    continueOnError: false,
    onInterrupt: 'fail',
    outputs: {},
    location: { line: 1, column: 1 },
    ...(tasks === undefined ? {} : { tasks }),
  };
}

function workflow(steps: StepNode[]): CompiledWorkflow {
  return { name: 'w', timeoutMs: 1000, variables: {}, inputs: {}, secrets: [], onFailure: 'stop', steps, finally: [] };
}

const base = { runId: 'r', ts: 0 };
const started = (step: string, name = placeOf(step).id): EngineEvent => ({
  ...base,
  kind: 'step.started',
  step,
  name,
  attempt: 1,
});
const log = (step: string, line: string, stream: 'stdout' | 'stderr' | 'system' = 'stdout'): EngineEvent => ({
  ...base,
  kind: 'log',
  step,
  stream,
  line,
});
const finished = (step: string, extra: Partial<Extract<EngineEvent, { kind: 'step.finished' }>> = {}): EngineEvent => ({
  ...base,
  kind: 'step.finished',
  step,
  name: placeOf(step).id,
  phase: 'main',
  status: 'succeeded',
  outputs: {},
  attempts: 1,
  durationMs: 12,
  ...extra,
});

function view(steps: StepNode[]) {
  const lines: string[] = [];
  const onEvent = createLiveView({
    print: (l) => lines.push(l),
    palette: createPalette(false),
    labels: new StepLabels(workflow(steps)),
  });
  return { lines, send: (...events: EngineEvent[]) => events.forEach(onEvent) };
}

describe('flotilla run: the live view', () => {
  it('puts lines under a header, and repeats the header when other output came in between', () => {
    const v = view([node('par', 'par', [node('a'), node('b')])]);
    v.send(started('par'), started('par/a'), log('par/a', 'one'), started('par/b'), log('par/b', 'two', 'stderr'));
    v.send(
      log('par/a', 'three'),
      finished('par/b', { status: 'failed', error: { code: 'STEP_FAILED', message: 'exit 1', retryable: false } }),
    );
    v.send(log('par/a', 'four'), finished('par/a', { attempts: 2, maxAttempts: 3 }), finished('par'));
    expect(v.lines).toEqual([
      '▸ par',
      '  ▸ a',
      '    │ one',
      '  b ! two',
      '  a │ three',
      '  ✗ b  12ms',
      '    [STEP_FAILED] exit 1',
      '  ▸ a',
      '    │ four',
      '  ✓ a  12ms  ⟳ 2/3',
      '✓ par  12ms',
    ]);
  });

  it('names a step by its id too where two share a name, and says why a step was skipped', () => {
    const v = view([node('build-app', 'build'), node('build-docs', 'build'), node('ship')]);
    v.send(started('build-app', 'build'), finished('build-app', { name: 'build', status: 'failed' }));
    v.send(
      finished('ship', {
        status: 'skipped',
        attempts: 0,
        skipReason: { code: 'DEPENDENCY_FAILED', step: 'build-app' },
      }),
    );
    v.send(
      finished('build-docs', { name: 'build', status: 'skipped', attempts: 0, skipReason: { code: 'RUN_CANCELLED' } }),
    );
    expect(v.lines).toEqual([
      '✗ build (build-app)  12ms',
      '– ship  skipped: build (build-app) failed',
      '– build (build-docs)  skipped: the run was cancelled',
    ]);
  });

  it('labels foreach iterations and nests their lines under the foreach', () => {
    const v = view([node('each', 'each', [node('show')])]);
    v.send(started('each'), started('each[1]/show'), log('each[1]/show', 'b', 'system'), finished('each[1]/show'));
    expect(v.lines).toEqual(['▸ each', '  ▸ show [1]', '    · b', '  ✓ show [1]  12ms']);
  });
});
