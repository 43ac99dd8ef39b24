/** A piece of a log line: matched by the search, or not. */
export interface Segment {
  text: string;
  match: boolean;
}

const OPEN = '[[';
const CLOSE = ']]';
/** Markers tried before giving up on a pathological line (it is then shown unmarked). */
const MAX_STEPS = 10_000;

/**
 * Splits a search hit into matched and unmatched pieces. The server gives the line and the same
 * line with every match wrapped in `[[` `]]`; the markers are found by aligning the two, so a line
 * that itself contains `[[` or `]]` is not misread. The pieces are text, shown as text (escaped):
 * no HTML from a log line ever reaches the page.
 */
export function highlightSegments(line: string, highlight: string): Segment[] {
  const segments: Segment[] = [];
  let steps = 0;

  // i: position in `highlight`, j: in `line`, open: inside a match. Characters are matched in a
  // loop; only a marker is a choice (a marker and a literal `[[` in the line look alike), tried
  // first and undone when the rest does not align. Recursion depth: one level per marker.
  function align(i: number, j: number, open: boolean, start: number): boolean {
    for (;;) {
      if (i === highlight.length) {
        if (open || j !== line.length) return false;
        push(line.slice(start, j), false);
        return true;
      }
      const marker = open ? CLOSE : OPEN;
      if (highlight.startsWith(marker, i)) {
        if (++steps > MAX_STEPS) return false;
        const mark = segments.length;
        push(line.slice(start, j), open);
        if (align(i + marker.length, j, !open, j)) return true;
        segments.length = mark;
      }
      if (j >= line.length || highlight[i] !== line[j]) return false;
      i += 1;
      j += 1;
    }
  }
  function push(text: string, match: boolean): void {
    if (text !== '') segments.push({ text, match });
  }

  if (highlight.length - line.length > 0 && align(0, 0, false, 0)) return segments;
  return [{ text: line, match: false }];
}
