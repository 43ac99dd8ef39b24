import { LabelsSchema, type Labels } from '@flotilla/protocol';

/**
 * The one-step workflow that runs a command line, like `flotilla exec` builds (JSON is valid
 * YAML): a command typed by a person is a shell line, so it runs with `shell: true`.
 */
export function commandWorkflow(command: string, timeout: string): string {
  return JSON.stringify({
    name: 'exec',
    tasks: [{ name: 'exec', type: 'command', timeout: timeout.trim() || '5m', config: { command, shell: true } }],
  });
}

export type ParsedSelector = { ok: true; labels: Labels } | { ok: false; error: string };

/**
 * `role=web,env=prod` as the labels a job target selects by (every one must match). The server
 * checks them again; this only says early what it would refuse.
 */
export function parseSelector(text: string): ParsedSelector {
  const labels: Record<string, string> = {};
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return { ok: false, error: 'Give at least one label: key=value' };
  for (const part of parts) {
    const at = part.indexOf('=');
    if (at <= 0) return { ok: false, error: `"${part}" is not key=value` };
    labels[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  const parsed = LabelsSchema.safeParse(labels);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? 'invalid labels' };
  return { ok: true, labels: parsed.data };
}
