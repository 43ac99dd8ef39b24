/** A label selector as typed in the target picker: `role=web, env=prod` (every label must match). */
export type ParsedSelector = { ok: true; labels: Record<string, string> } | { ok: false; message: string };

/**
 * Reads `key=value` pairs separated by commas or spaces, the way `--selector key=value` reads on
 * the command line. Only the notation is checked here; the server validates the labels.
 */
export function parseSelectorText(text: string): ParsedSelector {
  const labels: Record<string, string> = {};
  const parts = text.split(/[\s,]+/).filter((part) => part !== '');
  if (parts.length === 0) return { ok: false, message: 'give at least one label: key=value' };
  for (const part of parts) {
    const at = part.indexOf('=');
    if (at <= 0) return { ok: false, message: `"${part}" is not key=value` };
    labels[part.slice(0, at)] = part.slice(at + 1);
  }
  return { ok: true, labels };
}
