import type { ProblemCollector } from './problems.js';
import { formatPath } from './problems.js';
import type { DocumentPath } from './source-map.js';
import type { StepList, StepSite, StepTree } from './step-sites.js';
import { didYouMean } from './suggest.js';

/** Where a step's id comes from: its `id` field, else its `name`. */
function idPath(site: StepSite): (string | number)[] {
  return [...site.path, typeof site.raw.id === 'string' ? 'id' : 'name'];
}

/** Ids are unique across the whole workflow: nested control steps, rollbacks and `finally` included. */
export function checkUniqueIds(tree: StepTree, problems: ProblemCollector): void {
  const first = new Map<string, StepSite>();
  for (const site of tree.sites) {
    if (site.id === undefined) continue;
    const earlier = first.get(site.id);
    if (earlier === undefined) {
      first.set(site.id, site);
      continue;
    }
    problems.error({
      code: 'DUPLICATE_ID',
      path: idPath(site),
      step: site.id,
      message: `step id "${site.id}" is already used by the step at ${formatPath(earlier.path)}; give one of them a different "id"`,
    });
  }
}

function explicitNeeds(raw: Record<string, unknown>): { entries: unknown[]; single: boolean } | undefined {
  const needs = raw.needs;
  if (needs === undefined) return undefined;
  if (typeof needs === 'string') return { entries: [needs], single: true };
  return Array.isArray(needs) ? { entries: needs, single: false } : { entries: [], single: false };
}

/**
 * Resolves `needs` for every step of a list: explicit needs must name siblings; a step without
 * `needs` depends on the step before it (except in a `parallel` step's tasks). Reports unknown
 * references and cycles (naming the steps in the cycle).
 */
function resolveList(list: StepList, tree: StepTree, problems: ProblemCollector, resolved: ResolvedNeeds): void {
  const siblings = new Set(list.sites.flatMap((s) => (s.id === undefined ? [] : [s.id])));
  const allIds = new Set(tree.sites.flatMap((s) => (s.id === undefined ? [] : [s.id])));
  list.sites.forEach((site, index) => {
    const explicit = explicitNeeds(site.raw);
    if (explicit === undefined) {
      const previous = list.sites[index - 1]?.id;
      resolved.set(site, list.concurrent || previous === undefined ? [] : [previous]);
      return;
    }
    if (list.concurrent) {
      problems.error({
        code: 'MISPLACED_FIELD',
        path: [...site.path, 'needs'],
        at: 'key',
        step: site.id,
        message: 'the tasks of a parallel step all start together; "needs" has no effect here',
      });
      resolved.set(site, []);
      return;
    }
    const needs: string[] = [];
    explicit.entries.forEach((entry, i) => {
      if (typeof entry !== 'string') return;
      const path = explicit.single ? [...site.path, 'needs'] : [...site.path, 'needs', i];
      if (entry === site.id) {
        problems.error({ code: 'NEEDS_CYCLE', path, step: site.id, message: `step "${entry}" cannot need itself` });
      } else if (siblings.has(entry)) {
        if (!needs.includes(entry)) needs.push(entry);
      } else if (allIds.has(entry)) {
        problems.error({
          code: 'UNKNOWN_STEP_REFERENCE',
          path,
          step: site.id,
          message: `"${entry}" is not in the same list as this step; needs can only name steps of the same list (${formatPath(list.path)})`,
        });
      } else {
        problems.error({
          code: 'UNKNOWN_STEP_REFERENCE',
          path,
          step: site.id,
          message: `needs names no step "${entry}"${didYouMean(entry, siblings)}`,
        });
      }
    });
    resolved.set(site, needs);
  });
  reportCycles(list, resolved, problems);
}

function reportCycles(list: StepList, resolved: ResolvedNeeds, problems: ProblemCollector): void {
  // first occurrence only: a duplicated id is reported as such, not as a puzzling cycle
  const byId = new Map<string, StepSite>();
  for (const site of list.sites) if (site.id !== undefined && !byId.has(site.id)) byId.set(site.id, site);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (id: string): void => {
    state.set(id, 'visiting');
    stack.push(id);
    const site = byId.get(id);
    for (const need of site === undefined ? [] : (resolved.get(site) ?? [])) {
      if (state.get(need) === 'visiting') {
        const cycle = stack.slice(stack.indexOf(need));
        const key = [...cycle].sort().join('|');
        if (!reported.has(key)) {
          reported.add(key);
          // report at the first step of the cycle in document order
          const firstSite = list.sites.find((s) => s.id !== undefined && cycle.includes(s.id));
          const start = firstSite?.id ?? need;
          const rotated = [...cycle.slice(cycle.indexOf(start)), ...cycle.slice(0, cycle.indexOf(start))];
          const names = [...rotated, rotated[0] ?? start].join(' → ');
          problems.error({
            code: 'NEEDS_CYCLE',
            path:
              firstSite === undefined
                ? list.path
                : firstSite.raw.needs === undefined
                  ? idPath(firstSite)
                  : [...firstSite.path, 'needs'],
            step: start,
            message: `steps wait for each other in a cycle: ${names} (each step waits for the next; steps without "needs" wait for the step before them)`,
          });
        }
      } else if (state.get(need) === undefined && byId.has(need)) {
        visit(need);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of byId.keys()) if (state.get(id) === undefined) visit(id);
}

/** Resolved `needs` of each step in a list, by the step's document path. */
export class ResolvedNeeds {
  private readonly byPath = new Map<string, string[]>();

  set(site: StepSite, needs: string[]): void {
    this.byPath.set(formatPath(site.path), needs);
  }

  get(site: StepSite): string[] | undefined {
    return this.byPath.get(formatPath(site.path));
  }

  /** Needs of the step at `path`; none for steps outside lists (rollback steps). */
  at(path: DocumentPath): string[] {
    return this.byPath.get(formatPath(path)) ?? [];
  }
}

/** Checks ids and needs everywhere; returns the resolved needs of every step in a list. */
export function checkGraph(tree: StepTree, problems: ProblemCollector): ResolvedNeeds {
  checkUniqueIds(tree, problems);
  const resolved = new ResolvedNeeds();
  for (const list of tree.lists) resolveList(list, tree, problems, resolved);
  for (const site of tree.sites) {
    if (site.role === 'rollback' && site.raw.needs !== undefined) {
      problems.error({
        code: 'MISPLACED_FIELD',
        path: [...site.path, 'needs'],
        at: 'key',
        step: site.id,
        message: 'a rollback step runs when its step is compensated; "needs" has no meaning here',
      });
    }
  }
  return resolved;
}
