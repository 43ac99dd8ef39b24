import type { EngineEvent } from '@flotilla/workflow';
import type { Palette } from './colour.js';
import { formatDuration } from './job-format.js';
import { placeOf, type StepLabels } from './step-labels.js';
import { attemptsText, failureText, skipText, statusMark } from './step-outcome.js';

export interface LiveViewOptions {
  /** Writes one line (to stdout). */
  print: (line: string) => void;
  palette: Palette;
  labels: StepLabels;
}

interface Running {
  label: string;
  depth: number;
}

const indent = (depth: number): string => '  '.repeat(depth);

/**
 * The live view of `flotilla run`: each step's output under it as it happens (`│` stdout,
 * `!` stderr, `·` engine notes such as retries), then a line with its outcome. While a single
 * step runs, its lines follow a `▸ step` header; while several run at once, each line starts
 * with its step's label instead, so interleaved output stays attributable.
 */
export function createLiveView(options: LiveViewOptions): (event: EngineEvent) => void {
  const { print, palette, labels } = options;
  const running = new Map<string, Running>();
  const labelOf = new Map<string, string>();
  const headed = new Set<string>();
  /** The step whose header is the last thing printed above, so its lines may follow unprefixed. */
  let current: string | undefined;

  const isAncestor = (key: string, of: string): boolean => of.startsWith(`${key}/`) || of.startsWith(`${key}[`);
  const leaves = (): string[] =>
    [...running.keys()].filter((key) => ![...running.keys()].some((other) => other !== key && isAncestor(key, other)));

  const headAncestors = (key: string): void => {
    const chain: string[] = [];
    for (let parent = placeOf(key).parent; parent !== undefined; parent = placeOf(parent).parent) chain.unshift(parent);
    for (const parent of chain) {
      const step = running.get(parent);
      if (step === undefined || headed.has(parent)) continue;
      print(`${indent(step.depth)}${palette.dim('▸')} ${step.label}`);
      headed.add(parent);
    }
  };

  const marker = (stream: 'stdout' | 'stderr' | 'system'): string =>
    stream === 'stderr' ? palette.red('!') : palette.dim(stream === 'system' ? '·' : '│');

  const onLog = (event: Extract<EngineEvent, { kind: 'log' }>): void => {
    const step = running.get(event.step);
    if (step === undefined) return;
    const text = event.stream === 'system' ? palette.dim(event.line) : event.line;
    const concurrent = leaves();
    headAncestors(event.step);
    if (concurrent.length > 1) {
      const width = Math.max(...concurrent.map((key) => running.get(key)?.label.length ?? 0));
      print(`${indent(step.depth)}${palette.dim(step.label.padEnd(width))} ${marker(event.stream)} ${text}`);
      current = undefined;
      return;
    }
    if (current !== event.step) {
      print(`${indent(step.depth)}${palette.dim('▸')} ${step.label}`);
      headed.add(event.step);
      current = event.step;
    }
    print(`${indent(step.depth)}  ${marker(event.stream)} ${text}`);
  };

  const onFinished = (event: Extract<EngineEvent, { kind: 'step.finished' }>): void => {
    const label = labels.label(event.step, event.name, event.phase);
    labelOf.set(event.step, label);
    headAncestors(event.step);
    running.delete(event.step);
    headed.delete(event.step);
    current = undefined;
    const depth = indent(placeOf(event.step).depth);
    const mark = statusMark(event.status, palette);
    if (event.status === 'skipped') {
      print(`${depth}${mark} ${label}  ${palette.dim(skipText(event.skipReason, (key) => labelOf.get(key) ?? key))}`);
      return;
    }
    const tries = attemptsText(event.attempts, event.maxAttempts, palette);
    print(
      `${depth}${mark} ${label}  ${palette.dim(formatDuration(event.durationMs))}${tries === '' ? '' : `  ${tries}`}`,
    );
    if (event.status !== 'succeeded' && event.error !== undefined)
      print(`${depth}  ${palette.red(failureText(event.error))}`);
  };

  return (event) => {
    switch (event.kind) {
      case 'run.started':
        print(
          `${palette.bold(`▶ ${event.workflow}`)}  ${palette.dim(event.resumed ? `${event.runId} (resumed)` : event.runId)}`,
        );
        return;
      case 'step.started':
        // (the event has no phase: a `finally` step's header shows its plain label)
        if (!running.has(event.step))
          running.set(event.step, { label: labels.label(event.step, event.name), depth: placeOf(event.step).depth });
        return;
      case 'log':
        onLog(event);
        return;
      case 'step.finished':
        onFinished(event);
        return;
      case 'run.finished':
        return;
    }
  };
}
