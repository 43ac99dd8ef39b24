import { onScopeDispose, ref, shallowRef, watch, type Ref, type ShallowRef } from 'vue';
import type { LogBuffer, LogEntry } from './useLogBuffer';

export interface UseLogViewOptions {
  logs: LogBuffer;
  /** Which lines to show; `undefined`: all. A new filter rebuilds the view. */
  filter: Ref<((line: LogEntry) => boolean) | undefined>;
  /** Text to find (case-insensitive); lines are kept, matches are listed. */
  search: Ref<string>;
}

export interface LogView {
  /** The lines shown, in order (a plain array: `version` says when it grew or was rebuilt). */
  lines: ShallowRef<LogEntry[]>;
  version: Ref<number>;
  /** Indexes into `lines` of the lines that contain the search text. */
  matches: ShallowRef<number[]>;
}

/** Searching waits this long after the last keystroke. */
const SEARCH_DEBOUNCE_MS = 150;

/**
 * The lines a log viewer shows: the buffer narrowed by a filter, kept up to date incrementally as
 * lines arrive (a long log is not filtered again for every new line), with the search matches.
 */
export function useLogView(options: UseLogViewOptions): LogView {
  const lines = shallowRef<LogEntry[]>([]);
  const version = ref(0);
  const matches = shallowRef<number[]>([]);
  let seen = 0;
  let needle = '';
  let searchTimer: ReturnType<typeof setTimeout> | undefined;

  function matchesFrom(start: number): number[] {
    if (needle === '') return [];
    const found: number[] = [];
    const shown = lines.value;
    for (let i = start; i < shown.length; i++) if (shown[i]?.plain.toLowerCase().includes(needle)) found.push(i);
    return found;
  }

  function extend(): void {
    const all = options.logs.lines;
    const filter = options.filter.value;
    const shown = lines.value;
    const before = shown.length;
    for (let i = seen; i < all.length; i++) {
      const line = all[i];
      if (line !== undefined && (filter === undefined || filter(line))) shown.push(line);
    }
    seen = all.length;
    if (shown.length === before) return;
    const more = matchesFrom(before);
    if (more.length > 0) matches.value = [...matches.value, ...more];
    version.value++;
  }

  function rebuild(): void {
    lines.value = [];
    matches.value = [];
    seen = 0;
    extend();
    version.value++;
  }

  watch(options.logs.version, extend);
  watch(options.filter, rebuild, { immediate: true });
  watch(options.search, (text) => {
    if (searchTimer !== undefined) clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      needle = text.trim().toLowerCase();
      matches.value = matchesFrom(0);
    }, SEARCH_DEBOUNCE_MS);
  });
  onScopeDispose(() => {
    if (searchTimer !== undefined) clearTimeout(searchTimer);
  });
  return { lines, version, matches };
}
