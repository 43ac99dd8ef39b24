import type { ProblemCollector } from '../document/problems.js';
import { didYouMean } from '../document/suggest.js';

/**
 * Job ids and `needs`: an explicit id used twice, a `needs` naming no job, a job that needs
 * itself and jobs that wait for each other in a cycle are problems (probe refuses them before
 * the first job starts).
 */
export function checkProbeNeeds(
  jobs: readonly Record<string, unknown>[],
  ids: readonly string[],
  problems: ProblemCollector,
): void {
  const first = new Map<string, number>();
  jobs.forEach((job, j) => {
    if (typeof job.id !== 'string') return;
    const earlier = first.get(job.id);
    if (earlier === undefined) first.set(job.id, j);
    else {
      problems.error({
        code: 'DUPLICATE_ID',
        path: ['jobs', j, 'id'],
        step: job.id,
        message: `job id "${job.id}" is already used by jobs[${earlier}]`,
      });
    }
  });
  const known = new Set(ids);
  const edges = new Map<string, string[]>();
  jobs.forEach((job, j) => {
    const id = ids[j] ?? '';
    const needs = Array.isArray(job.needs) ? job.needs : [];
    const valid: string[] = [];
    needs.forEach((need, n) => {
      if (typeof need !== 'string') return;
      const path = ['jobs', j, 'needs', n];
      if (need === id) {
        problems.error({ code: 'NEEDS_CYCLE', path, step: id, message: `job "${id}" cannot need itself` });
      } else if (!known.has(need)) {
        problems.error({
          code: 'UNKNOWN_STEP_REFERENCE',
          path,
          step: id,
          message: `needs names no job "${need}"${didYouMean(need, known)} (needs takes job ids; a job without an id is known by its name)`,
        });
      } else valid.push(need);
    });
    if (!edges.has(id)) edges.set(id, valid);
  });
  reportCycles(ids, edges, problems);
}

function reportCycles(ids: readonly string[], edges: ReadonlyMap<string, string[]>, problems: ProblemCollector): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const need of edges.get(id) ?? []) {
      if (state.get(need) === 'visiting') {
        const cycle = stack.slice(stack.indexOf(need));
        const key = [...cycle].sort().join('|');
        if (reported.has(key)) continue;
        reported.add(key);
        const j = Math.min(...cycle.map((c) => ids.indexOf(c)));
        problems.error({
          code: 'NEEDS_CYCLE',
          path: ['jobs', j, 'needs'],
          step: ids[j],
          message: `jobs wait for each other in a cycle: ${[...cycle, cycle[0] ?? ''].join(' → ')}`,
        });
      } else if (state.get(need) === undefined) visit(need);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of ids) if (state.get(id) === undefined) visit(id);
}
