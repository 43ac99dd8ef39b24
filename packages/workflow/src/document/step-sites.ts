import type { DocumentPath } from './source-map.js';

/**
 * Every step of a document found by walking the raw (not yet schema-checked) data, so that all
 * checks can run even when some parts of the document are malformed.
 */
export interface StepSite {
  /** Path to the step object. */
  path: DocumentPath;
  raw: Record<string, unknown>;
  /** `id`, else `name`; for a nameless rollback step, `<parent>-rollback`. */
  id: string | undefined;
  type: string | undefined;
  role: 'step' | 'rollback';
  /** Inside the `tasks` of a `foreach` (at any depth): `item` and `index` are defined. */
  inForeach: boolean;
  parent: StepSite | undefined;
  /** The list the step is in (undefined for a rollback step). */
  list: StepList | undefined;
}

/** A list of sibling steps: the workflow's tasks, `finally`, or a control step's children. */
export interface StepList {
  path: DocumentPath;
  sites: StepSite[];
  /** Children of `type: parallel`: they start together, so there is no implicit "previous step". */
  concurrent: boolean;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Canonical top-level key of the task list (`tasks`, or its alias `steps`). */
export function taskListKey(doc: Record<string, unknown>): 'tasks' | 'steps' {
  return doc.tasks === undefined && doc.steps !== undefined ? 'steps' : 'tasks';
}

export interface StepTree {
  sites: StepSite[];
  lists: StepList[];
}

/** Walks the task list, `finally`, control-step children and rollback steps. */
export function collectSteps(doc: Record<string, unknown>): StepTree {
  const tree: StepTree = { sites: [], lists: [] };

  const visitStep = (site: StepSite): void => {
    tree.sites.push(site);
    const { raw } = site;
    for (const key of ['then', 'else', 'tasks'] as const) {
      const children = raw[key];
      if (!Array.isArray(children)) continue;
      visitList([...site.path, key], children, {
        inForeach: site.inForeach || (key === 'tasks' && site.type === 'foreach'),
        concurrent: key === 'tasks' && site.type === 'parallel',
        parent: site,
      });
    }
    const rollback = raw.rollback;
    if (site.role === 'step' && isRecord(rollback)) {
      visitStep({
        path: [...site.path, 'rollback'],
        raw: rollback,
        id: text(rollback.id) ?? text(rollback.name) ?? (site.id === undefined ? undefined : `${site.id}-rollback`),
        type: text(rollback.type),
        role: 'rollback',
        inForeach: site.inForeach,
        parent: site,
        list: undefined,
      });
    }
  };

  const visitList = (
    path: DocumentPath,
    items: readonly unknown[],
    options: { inForeach: boolean; concurrent: boolean; parent: StepSite | undefined },
  ): void => {
    const list: StepList = { path, sites: [], concurrent: options.concurrent };
    tree.lists.push(list);
    items.forEach((item, index) => {
      if (!isRecord(item)) return;
      const site: StepSite = {
        path: [...path, index],
        raw: item,
        id: text(item.id) ?? text(item.name),
        type: text(item.type),
        role: 'step',
        inForeach: options.inForeach,
        parent: options.parent,
        list,
      };
      list.sites.push(site);
      visitStep(site);
    });
  };

  const main = doc[taskListKey(doc)];
  if (Array.isArray(main))
    visitList([taskListKey(doc)], main, { inForeach: false, concurrent: false, parent: undefined });
  if (Array.isArray(doc.finally))
    visitList(['finally'], doc.finally, { inForeach: false, concurrent: false, parent: undefined });
  return tree;
}

/** The deepest step containing `path`, for labelling a problem with its step. */
export function stepAt(tree: StepTree, path: DocumentPath): StepSite | undefined {
  let best: StepSite | undefined;
  for (const site of tree.sites) {
    if (site.path.length > path.length) continue;
    if (!site.path.every((segment, i) => segment === path[i])) continue;
    if (best === undefined || site.path.length > best.path.length) best = site;
  }
  return best;
}
