import type { ProblemCollector } from './problems.js';
import { didYouMean } from './suggest.js';

/** What the reference checks saw the document read. */
export interface VariableUsage {
  /** Names read as `{{.NAME}}` or `vars.NAME`, declared or not. */
  readNames: ReadonlySet<string>;
  /** An expression reads `vars` as a whole (`vars[name]`, `vars`): every variable may be used. */
  readsAllVars: boolean;
}

/**
 * Variables set from outside the document (`flotilla run --var`, like `ansible-playbook -e`)
 * need no declaration, but one the document never reads is most likely a misspelt name: a
 * warning (`UNUSED_VARIABLE`) says so, with the closest name the document reads or declares.
 */
export function checkExternalVariables(
  external: readonly string[],
  usage: VariableUsage,
  declared: Iterable<string>,
  problems: ProblemCollector,
): void {
  if (usage.readsAllVars) return;
  const candidates = new Set([...usage.readNames, ...declared]);
  for (const name of new Set(external)) {
    if (usage.readNames.has(name)) continue;
    const hint = didYouMean(
      name,
      [...candidates].filter((c) => c !== name),
    );
    problems.warning({
      code: 'UNUSED_VARIABLE',
      path: [],
      // it is about the command line, not a place in the text
      at: { line: 1, column: 1 },
      message: `variable "${name}" is set from outside the document (--var) but nothing in it reads it${hint}`,
    });
  }
}
