import type { RunRecord, StepRecord } from '@flotilla/workflow';
import type { StepStatus } from '@flotilla/protocol';
import type { Palette } from './colour.js';
import { formatDuration } from './job-format.js';
import type { FinishDetails } from './step-events.js';
import { placeOf, type StepLabels } from './step-labels.js';
import { bySiblingOrder } from './step-order.js';
import { attemptsText, failureText, skipText, statusMark } from './step-outcome.js';

export interface RunReportOptions {
  labels: StepLabels;
  /** Positions of step ids in the document (`documentOrder`). */
  order: ReadonlyMap<string, number>;
  palette: Palette;
  /** Attempts allowed and skip reasons, by step key (from the engine's events). */
  details: ReadonlyMap<string, FinishDetails>;
  /** Last output lines by step key, shown under failed steps (`--quiet`, where nothing streamed). */
  tails?: ReadonlyMap<string, readonly string[]> | undefined;
}

interface Row {
  step: StepRecord;
  depth: number;
  label: string;
  /** Counts of the nested steps, for a step that has some (a job, a foreach, a parallel block…). */
  nested?: string | undefined;
}

/** `3 succeeded, 1 failed, 2 skipped` (statuses that occur, most common outcome first). */
export function countsText(steps: readonly StepRecord[]): string {
  const order: StepStatus[] = ['succeeded', 'failed', 'timed_out', 'cancelled', 'interrupted', 'skipped'];
  return order
    .map((status) => [status, steps.filter((s) => s.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status.replace('_', ' ')}`)
    .join(', ');
}

/** Steps as a tree (nested steps under their parent), siblings as `bySiblingOrder` puts them. */
function rows(record: RunRecord, labels: StepLabels, order: ReadonlyMap<string, number>): Row[] {
  const keys = new Set(record.steps.map((s) => s.key));
  const children = new Map<string | undefined, StepRecord[]>();
  for (const step of record.steps) {
    let parent = placeOf(step.key).parent;
    while (parent !== undefined && !keys.has(parent)) parent = placeOf(parent).parent;
    children.set(parent, [...(children.get(parent) ?? []), step]);
  }
  const leaves = (key: string): StepRecord[] =>
    (children.get(key) ?? []).flatMap((child) => (children.has(child.key) ? leaves(child.key) : [child]));
  const out: Row[] = [];
  const visit = (parent: string | undefined, depth: number): void => {
    const siblings = [...(children.get(parent) ?? [])].sort(bySiblingOrder(order));
    for (const step of siblings) {
      const nested = children.has(step.key) ? countsText(leaves(step.key)) : undefined;
      out.push({ step, depth, label: labels.label(step.key, step.name, step.phase), nested });
      visit(step.key, depth + 1);
    }
  };
  visit(undefined, 0);
  return out;
}

/** `6 succeeded, 2 failed, 2 skipped in 1.3s — run failed, exit code 1`. */
export function totalsText(record: RunRecord, exitCode: number): string {
  const count = (status: StepStatus) => record.steps.filter((s) => s.status === status).length;
  const extra = (['timed_out', 'cancelled', 'interrupted'] as const)
    .filter((s) => count(s) > 0)
    .map((s) => `, ${count(s)} ${s.replace('_', ' ')}`)
    .join('');
  const outcome = record.status === 'succeeded' ? '' : `run ${record.status.replace('_', ' ')}, `;
  return `${count('succeeded')} succeeded, ${count('failed')} failed${extra}, ${count('skipped')} skipped in ${formatDuration(record.durationMs)} — ${outcome}exit code ${exitCode}`;
}

/**
 * The report printed when a run ends: the workflow's name and outcome, one line per step
 * (nested steps indented under theirs, with their counts), then the totals and the exit code.
 */
export function renderRunReport(record: RunRecord, exitCode: number, options: RunReportOptions): string[] {
  const { palette, details } = options;
  const all = rows(record, options.labels, options.order);
  const labelOf = new Map(all.map((r) => [r.step.key, r.label]));
  const width = Math.max(0, ...all.map((r) => r.depth * 2 + r.label.length));
  const outcome =
    record.status === 'succeeded' ? palette.green(record.status) : palette.red(record.status.replace('_', ' '));
  const lines = [`${palette.bold(record.workflow)}: ${outcome}${record.resumed ? palette.dim(' (resumed)') : ''}`];
  for (const { step, depth, label, nested } of all) {
    const indent = '  '.repeat(depth + 1);
    const head = `${indent}${statusMark(step.status, palette)} ${label.padEnd(width - depth * 2)}`;
    const detail = details.get(step.key);
    if (step.status === 'skipped') {
      lines.push(`${head}  ${palette.dim(skipText(detail?.skipReason, (key) => labelOf.get(key) ?? key))}`);
      continue;
    }
    const parts = [palette.dim(formatDuration(step.durationMs).padStart(6))];
    const tries = attemptsText(step.attempts, detail?.maxAttempts, palette);
    if (tries !== '') parts.push(tries);
    if (nested !== undefined) parts.push(palette.dim(`(${nested})`));
    if (step.status !== 'succeeded' && step.error !== undefined && nested === undefined)
      parts.push(palette.red(failureText(step.error)));
    lines.push(`${head}  ${parts.join('  ')}`);
    if (step.status !== 'succeeded' && nested === undefined)
      for (const line of options.tails?.get(step.key) ?? []) lines.push(`${indent}    ${palette.dim('│')} ${line}`);
  }
  lines.push(totalsText(record, exitCode));
  return lines;
}
