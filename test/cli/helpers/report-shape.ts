/**
 * `flotilla run --json` and `--junit` with what changes from run to run (ids, clocks,
 * durations) blanked, so two runs of the same workflow compare equal.
 */
export function stableJson(text: string): unknown {
  const record = JSON.parse(text) as Record<string, unknown> & { steps: Record<string, unknown>[] };
  const blank = (o: Record<string, unknown>, keys: string[]): Record<string, unknown> => {
    for (const key of keys) if (key in o) o[key] = 0;
    return o;
  };
  blank(record, ['runId', 'startedAt', 'finishedAt', 'durationMs']);
  for (const step of record.steps) blank(step, ['startedAt', 'finishedAt', 'durationMs']);
  return record;
}

export function stableJUnit(xml: string): string {
  return xml
    .replace(/ (time|timestamp)="[^"]*"/g, ' $1=""')
    .replace(/name="run\.id" value="[^"]*"/, 'name="run.id" value=""');
}
