import { ref, watch, type Ref } from 'vue';

export interface ColumnDefinition {
  key: string;
  label: string;
}

export interface UseColumnChoiceOptions {
  /** `localStorage` key: the choice is remembered per browser. */
  storageKey: string;
  columns: readonly ColumnDefinition[];
  /** Shown until the user chooses. */
  defaults: readonly string[];
}

function saved(options: UseColumnChoiceOptions): string[] | undefined {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(options.storageKey) ?? 'null');
    if (!Array.isArray(value)) return undefined;
    const known = new Set(options.columns.map((c) => c.key));
    return value.filter((key): key is string => typeof key === 'string' && known.has(key));
  } catch {
    return undefined; // an unreadable value is as good as none
  }
}

/** Which optional columns of a table are shown, remembered in this browser. */
export function useColumnChoice(options: UseColumnChoiceOptions): { visible: Ref<string[]> } {
  const visible = ref<string[]>(saved(options) ?? [...options.defaults]);
  watch(visible, (keys) => localStorage.setItem(options.storageKey, JSON.stringify(keys)), { deep: true });
  return { visible };
}
