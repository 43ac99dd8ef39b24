import type { RunRecord, StepRecord } from './run-record.js';

export interface JUnitOptions {
  /** Output lines per step key (already masked), shown for failed steps. */
  logs?: ReadonlyMap<string, readonly string[]> | undefined;
  /** ISO 8601 start time of the run, when the caller has one. */
  timestamp?: string | undefined;
}

// XML 1.0 cannot carry most control characters, even escaped
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function xml(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);
const isFailure = (s: StepRecord): boolean => s.status !== 'succeeded' && s.status !== 'skipped';

function testcase(suite: string, step: StepRecord, logs: readonly string[] | undefined): string {
  const open = `    <testcase classname="${xml(suite)}" name="${xml(step.key)}" time="${seconds(step.durationMs)}"`;
  if (step.status === 'succeeded') return `${open}/>`;
  if (step.status === 'skipped') return `${open}>\n      <skipped/>\n    </testcase>`;
  const code = step.error?.code ?? step.status.toUpperCase();
  const message = step.error?.message ?? step.status;
  const body = [`${step.status}: ${message}`, ...(logs ?? [])].join('\n');
  return `${open}>\n      <failure type="${xml(code)}" message="${xml(message)}">${xml(body)}</failure>\n    </testcase>`;
}

/** A run as JUnit XML: one test case per step, so CI systems can show what `flotilla run` did. */
export function toJUnitXml(record: RunRecord, options: JUnitOptions = {}): string {
  const tests = record.steps.length;
  const failures = record.steps.filter(isFailure).length;
  const skipped = record.steps.filter((s) => s.status === 'skipped').length;
  const counts = `tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(record.durationMs)}"`;
  const stamp = options.timestamp === undefined ? '' : ` timestamp="${xml(options.timestamp)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="flotilla" ${counts}>`,
    `  <testsuite name="${xml(record.workflow)}" ${counts}${stamp}>`,
    `    <properties><property name="run.id" value="${xml(record.runId)}"/><property name="run.status" value="${record.status}"/></properties>`,
    ...record.steps.map((s) => testcase(record.workflow, s, options.logs?.get(s.key))),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
