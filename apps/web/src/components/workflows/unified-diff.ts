/** One line of a unified diff, as `WorkflowDiff.vue` shows it. */
export interface DiffLine {
  kind: 'hunk' | 'add' | 'remove' | 'context' | 'note';
  text: string;
  /** Line number in the older version (context and removed lines). */
  oldLine?: number;
  /** Line number in the newer version (context and added lines). */
  newLine?: number;
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/**
 * The lines of a unified diff (`GET /workflows/:id/diff`), numbered from its hunk headers. The
 * file header (`===`, `---`, `+++`) is left out: the page names both versions itself.
 */
export function parseUnifiedDiff(diff: string): DiffLine[] {
  const lines: DiffLine[] = [];
  let oldLine = 0;
  let newLine = 0;
  let inHunk = false;
  for (const text of diff.split('\n')) {
    const hunk = HUNK.exec(text);
    if (hunk !== null) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      inHunk = true;
      lines.push({ kind: 'hunk', text });
      continue;
    }
    if (!inHunk) continue;
    if (text.startsWith('+')) lines.push({ kind: 'add', text: text.slice(1), newLine: newLine++ });
    else if (text.startsWith('-')) lines.push({ kind: 'remove', text: text.slice(1), oldLine: oldLine++ });
    else if (text.startsWith(' '))
      lines.push({ kind: 'context', text: text.slice(1), oldLine: oldLine++, newLine: newLine++ });
    else if (text.startsWith('\\')) lines.push({ kind: 'note', text });
  }
  return lines;
}
