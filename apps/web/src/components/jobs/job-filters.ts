import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import { JobStateSchema, type JobState } from '@flotilla/protocol';

/** The filters of the jobs list, as kept in the URL (`?state=failed,timed_out&agent=web-1&from=…`). */
export interface JobFilters {
  state: JobState[];
  workflow: string;
  agent: string;
  createdBy: string;
  /** RFC 3339 times: `from <= createdAt < to`; empty: open. */
  from: string;
  to: string;
}

function text(query: LocationQuery, name: string): string {
  const value = query[name];
  return typeof value === 'string' ? value : '';
}

/** Filters from the URL; anything unknown in it is ignored (the server would refuse it). */
export function filtersFromQuery(query: LocationQuery): JobFilters {
  const states = text(query, 'state')
    .split(',')
    .filter((s): s is JobState => JobStateSchema.safeParse(s).success);
  return {
    state: states,
    workflow: text(query, 'workflow'),
    agent: text(query, 'agent'),
    createdBy: text(query, 'createdBy'),
    from: text(query, 'from'),
    to: text(query, 'to'),
  };
}

/** The URL query of filters: empty ones are left out, so a plain `/jobs` means "everything". */
export function filtersToQuery(filters: JobFilters): LocationQueryRaw {
  const query: LocationQueryRaw = {};
  if (filters.state.length > 0) query.state = filters.state.join(',');
  for (const name of ['workflow', 'agent', 'createdBy', 'from', 'to'] as const) {
    const value = filters[name].trim();
    if (value !== '') query[name] = value;
  }
  return query;
}
