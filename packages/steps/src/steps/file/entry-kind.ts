import { lstat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { errnoCode, toFileStepError } from './fs-errors.js';

/** What is at a path, without following a symlink at the leaf (`other`: link, socket, device…). */
export interface Entry {
  kind: 'none' | 'file' | 'directory' | 'other';
  stats?: Stats | undefined;
}

export async function inspectEntry(file: string): Promise<Entry> {
  try {
    const stats = await lstat(file);
    const kind = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other';
    return { kind, stats };
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'none' };
    throw toFileStepError(err, `cannot inspect "${file}"`);
  }
}

/** The permission bits of a stats object (what `mode: "0644"` sets). */
export function permissionBits(stats: Stats): number {
  return stats.mode & 0o7777;
}
