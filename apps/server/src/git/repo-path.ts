import path from 'node:path';

/** Tenant and project names become path segments: letters, digits, `.`, `_`, `-`, not starting with `.`. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Whether a tenant or project name can name a mirror repository (anything else has no mirror). */
export function isRepoSegment(name: string): boolean {
  return SEGMENT.test(name) && !name.endsWith('.git');
}

/** A segment of a path inside a repository as git's smart HTTP names them (`info`, `refs`, `git-upload-pack`). */
const SUBPATH_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Whether the rest of a git URL after `<project>.git` (`/info/refs`) is safe to hand to
 * `git http-backend`: every segment is a plain name. `.`, `..` and empty segments are refused
 * rather than normalised: no git client sends them, and `..` would name another repository.
 */
export function isRepoSubpath(rest: string): boolean {
  if (rest === '' || rest === '/') return true;
  const [first, ...segments] = rest.split('/');
  return first === '' && segments.every((segment) => SUBPATH_SEGMENT.test(segment));
}

/** `<root>/<tenant>/<project>.git`; throws on names that could escape the root. */
export function repoPath(root: string, tenant: string, project: string): string {
  if (!isRepoSegment(tenant) || !isRepoSegment(project)) throw new Error(`not a repository name: ${tenant}/${project}`);
  return path.join(root, tenant, `${project}.git`);
}

/**
 * The file of a workflow in the repository: `workflows/<name>.yaml`. Workflow names are free
 * text, so bytes outside `[A-Za-z0-9._ -]` (and a leading `.`) are percent-encoded: the mapping
 * is reversible and two names never share a file.
 */
export function workflowFilePath(name: string): string {
  let encoded = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    const safe = /[A-Za-z0-9_ -]/.test(char) || (char === '.' && encoded !== '');
    encoded += safe ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `workflows/${encoded}.yaml`;
}
