/** Labels typed as `key=value` pairs, separated by commas or new lines; `null` names a bad pair. */
export function parseLabelsText(text: string): { labels: Record<string, string> } | { error: string } {
  const labels: Record<string, string> = {};
  for (const part of text.split(/[,\n]/)) {
    const pair = part.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) return { error: `"${pair}" is not key=value` };
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return { labels };
}
