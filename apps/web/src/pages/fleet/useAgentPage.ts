import { computed, onScopeDispose, ref, watch, type ComputedRef, type Ref } from 'vue';
import { useRoute } from 'vue-router';
import type { Agent, Page } from '@flotilla/protocol';
import { api } from '../../api/client';
import { useResource, type Resource } from '../../composables/useResource';
import { useLiveReload } from './useLiveReload';
import { cursorFromQuery, filtersFromQuery, queryFromFilters, type FleetFilters } from './fleet-query';

/** A view change answered sooner than this shows no spinner. */
const SPINNER_DELAY_MS = 250;

export interface UseAgentPageOptions {
  /** Rows per page. @default 50 */
  pageSize?: number;
  /** Live events within this window re-read the page once. @default 400 */
  debounceMs?: number;
}

export interface AgentPage {
  filters: ComputedRef<FleetFilters>;
  cursor: ComputedRef<string | undefined>;
  agents: Resource<Page<Agent> & { key: string }>;
  /**
   * True while a load for a view other than the one shown has run for a moment (a live re-read
   * shows no spinner, nor does a quick answer: a spinner flashing for 50 ms is only noise).
   */
  switching: Ref<boolean>;
  /** Reloads now (after a change this page made). */
  refresh: () => Promise<void>;
}

/**
 * One page of the fleet as the URL describes it: the server filters, sorts and pages (never the
 * browser). A change of the URL (a filter, back/forward) reads the new view; `agent.changed` and
 * `agent.pending` re-read the current page, debounced, so a fleet reconnecting at once costs one
 * read, not thousands.
 */
export function useAgentPage(options: UseAgentPageOptions = {}): AgentPage {
  const route = useRoute();
  const filters = computed(() => filtersFromQuery(route.query));
  const cursor = computed(() => cursorFromQuery(route.query));
  const key = computed(() => JSON.stringify(queryFromFilters(filters.value, cursor.value)));

  const agents = useResource({
    load: async () => {
      const f = filters.value;
      const wanted = key.value;
      const page = await api.agents.list({
        query: {
          limit: options.pageSize ?? 50,
          sort: f.sort,
          ...(f.selector === '' ? {} : { selector: f.selector }),
          ...(f.status.length === 0 ? {} : { status: f.status.join(',') }),
          ...(f.q === '' ? {} : { q: f.q }),
          ...(cursor.value === undefined ? {} : { cursor: cursor.value }),
        },
      });
      return { ...page, key: wanted };
    },
  });
  const loadingOther = computed(() => agents.loading.value && agents.data.value?.key !== key.value);
  const switching = ref(false);
  let spinnerTimer: ReturnType<typeof setTimeout> | undefined;
  watch(loadingOther, (now) => {
    clearTimeout(spinnerTimer);
    if (now) spinnerTimer = setTimeout(() => (switching.value = true), SPINNER_DELAY_MS);
    else switching.value = false;
  });
  onScopeDispose(() => clearTimeout(spinnerTimer));

  // Only the fleet's own query: other pages' query changes (none here) and hash changes do not reload.
  watch(key, () => void agents.reload());

  useLiveReload({ types: ['agent.changed', 'agent.pending'], reload: agents.reload, delayMs: options.debounceMs });

  return { filters, cursor, agents, switching, refresh: agents.reload };
}
