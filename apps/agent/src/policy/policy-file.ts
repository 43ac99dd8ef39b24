import { readFile } from 'node:fs/promises';
import { isMap, isNode, LineCounter, parseDocument, type Node } from 'yaml';
import { FlotillaError } from '@flotilla/protocol';
import { compilePolicy, PolicyDocumentSchema, unknownPolicyKeyMessage, type CompiledPolicy } from './policy-schema.js';

/** One problem in a policy file, placed at its line and column when the YAML has a node for it. */
export interface PolicyProblem {
  [key: string]: unknown;
  path: string;
  message: string;
  line?: number | undefined;
  column?: number | undefined;
}

/**
 * Parses policy YAML text. Every problem (syntax or schema) is reported at once in a
 * `CONFIG_INVALID` error whose `errors` carry `path`, `message`, `line` and `column`.
 */
export function parsePolicy(text: string, context: { dataDir: string; source: string }): CompiledPolicy {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined): Pick<PolicyProblem, 'line' | 'column'> => {
    if (offset === undefined) return {};
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length > 0) {
    throw invalid(
      context.source,
      doc.errors.map((e) => ({ path: '', message: e.message.split('\n')[0] ?? e.message, ...at(e.pos[0]) })),
    );
  }
  // An empty file is a policy of defaults, like no file at all.
  const value: unknown = doc.contents === null ? {} : doc.toJS();
  const parsed = PolicyDocumentSchema.safeParse(value);
  if (!parsed.success) {
    throw invalid(
      context.source,
      parsed.error.issues.flatMap((issue) => {
        const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        if (issue.code === 'unrecognized_keys') {
          // zod reports every unknown key of an object in one issue on the object: one problem
          // per key, placed at the key itself
          return issue.keys.map((key) => ({
            path: [...path, key].join('.'),
            message: unknownPolicyKeyMessage(path, key),
            ...at(nodeAt(doc.contents, [...path, key], true)?.range?.[0]),
          }));
        }
        return [{ path: path.join('.'), message: issue.message, ...at(nodeAt(doc.contents, path, false)?.range?.[0]) }];
      }),
    );
  }
  return compilePolicy(parsed.data, { dataDir: context.dataDir, source: context.source });
}

/** Reads and parses a policy file; unreadable counts as invalid (the agent must not guess). */
export async function loadPolicyFile(path: string, dataDir: string): Promise<CompiledPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new FlotillaError('CONFIG_INVALID', {
      detail: `cannot read the policy file ${path} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      errors: [{ path: 'policyFile', message: 'unreadable' }],
      cause: err,
    });
  }
  return parsePolicy(text, { dataDir, source: path });
}

/** The deepest YAML node along `path` (the key node itself when `key` is set). */
function nodeAt(root: unknown, path: readonly (string | number)[], key: boolean): Node | undefined {
  let node: unknown = root;
  let found: Node | undefined = isNode(root) ? root : undefined;
  for (const [index, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isNode(item.key) && (item.key as { value?: unknown }).value === segment);
      if (pair === undefined) return found;
      const last = index === path.length - 1;
      node = key && last ? pair.key : pair.value;
    } else if (isNode(node) && 'items' in node && Array.isArray(node.items) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      return found;
    }
    if (isNode(node)) found = node;
  }
  return found;
}

function invalid(source: string, errors: PolicyProblem[]): FlotillaError {
  const where = (p: PolicyProblem): string => (p.line === undefined ? '' : `${p.line}:${p.column ?? 0} `);
  return new FlotillaError('CONFIG_INVALID', {
    detail: `invalid policy file ${source}: ${errors.map((e) => `${where(e)}${e.path === '' ? '' : `${e.path}: `}${e.message}`).join('; ')}`,
    errors,
  });
}
