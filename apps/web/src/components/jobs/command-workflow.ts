import { parseLabelSelector, type Labels } from '@flotilla/protocol';

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
 * `role=web,env=prod` as the labels a job target selects by (every one must match), with the
 * grammar the server and the CLI share; the server checks them again.
 */
export function parseSelector(text: string): ParsedSelector {
  const parsed = parseLabelSelector(text);
  return parsed.ok ? { ok: true, labels: parsed.selector } : { ok: false, error: parsed.message };
}
