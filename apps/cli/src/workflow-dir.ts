import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { WORKFLOW_LIMITS } from '@flotilla/workflow';
import { parse } from 'yaml';
import { CliError } from './cli-error.js';

/** The workflow documents of a `--workflows DIR`, by their `name:`. */
export interface WorkflowDir {
  readonly dir: string;
  /** Absolute files by workflow name (more than one: the name is ambiguous). */
  readonly byName: ReadonlyMap<string, readonly string[]>;
  /** Documents whose name could not be read (not YAML, no `name:`), relative to `dir`. */
  readonly unreadable: readonly string[];
}

const DOCUMENT = /\.(ya?ml|json)$/i;

async function documentsUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && DOCUMENT.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter(
      (file) =>
        !relative(dir, file)
          .split(/[\\/]/)
          .some((part) => part.startsWith('.')),
    )
    .sort();
}

/** The `name:` of a document, read without validating the rest (that happens when it is called). */
function nameOf(text: string): string | undefined {
  if (text.length > WORKFLOW_LIMITS.maxChars) return undefined;
  try {
    const value: unknown = parse(text, { maxAliasCount: 100 });
    const name = typeof value === 'object' && value !== null ? (value as { name?: unknown }).name : undefined;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads every `.yaml`, `.yml` and `.json` file under `dir` (subdirectories included, hidden ones
 * not) for its `name:`, so that a call by name finds its document.
 * @throws CliError (exit 2) when `dir` cannot be read.
 */
export async function indexWorkflowDir(dir: string): Promise<WorkflowDir> {
  let files: string[];
  try {
    files = await documentsUnder(dir);
  } catch (err) {
    throw new CliError(
      `--workflows ${dir}: cannot read the directory (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      2,
    );
  }
  const byName = new Map<string, string[]>();
  const unreadable: string[] = [];
  for (const file of files) {
    const name = nameOf(await readFile(file, 'utf8').catch(() => ''));
    if (name === undefined) {
      unreadable.push(relative(dir, file));
      continue;
    }
    byName.set(name, [...(byName.get(name) ?? []), file]);
  }
  return { dir, byName, unreadable };
}
