/**
 * Whether two paths name the same file as written: after collapsing `.`, `..`, repeated and
 * trailing slashes (POSIX rules; relative paths compare as relative). Paths that differ here
 * may still meet through symlinks, which only the step can tell at run time.
 */
export function sameWrittenPath(a: string, b: string): boolean {
  return normalise(a) === normalise(b);
}

function normalise(path: string): string {
  const absolute = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts.at(-1) !== '..') parts.pop();
    else if (part !== '..' || !absolute) parts.push(part);
  }
  return (absolute ? '/' : '') + parts.join('/');
}
