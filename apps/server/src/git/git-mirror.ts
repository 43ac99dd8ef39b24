import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { gitVersion, runGit } from './git-cli.js';
import { KeyedQueue } from './keyed-queue.js';
import { repoPath } from './repo-path.js';

/** The branch every mirror repository has (and HEAD points at). */
export const MIRROR_BRANCH = 'main';
const REF = `refs/heads/${MIRROR_BRANCH}`;

/** A file written (`content`) or removed (`content: null`) by one commit. */
export interface MirrorFileChange {
  path: string;
  content: string | null;
}

/** One commit on a project's mirror. */
export interface MirrorCommit {
  tenant: string;
  project: string;
  author: { name: string; email: string };
  message: string;
  /** RFC 3339 time of the change (the version's `createdAt`). */
  date: string;
  changes: readonly MirrorFileChange[];
}

export interface GitMirrorOptions {
  /** Where the bare repositories live: `<root>/<tenant>/<project>.git`. */
  root: string;
  logger: Logger;
}

/**
 * Commits configuration changes to one bare git repository per tenant/project, with git's
 * plumbing commands and a throw-away index, so no working tree exists and commits of one
 * repository are strictly serialised. When `git` is not installed the mirror is disabled
 * (`enabled: false`): commits are skipped and the server runs on.
 */
export class GitMirror {
  private readonly queue = new KeyedQueue();

  private constructor(
    private readonly options: GitMirrorOptions,
    /** Installed git version; `undefined` when the mirror is disabled. */
    readonly gitVersion: string | undefined,
  ) {}

  /** Probes for `git` and returns the mirror (disabled, with a WARN, when git is missing). */
  static async open(options: GitMirrorOptions): Promise<GitMirror> {
    const version = await gitVersion();
    if (version === undefined) options.logger.warn('git is not installed: the configuration git mirror is disabled');
    return new GitMirror(options, version);
  }

  get enabled(): boolean {
    return this.gitVersion !== undefined;
  }

  /** The root directory (`GIT_PROJECT_ROOT` of the HTTP backend). */
  get root(): string {
    return this.options.root;
  }

  /** Creates the bare repository if needed and returns its path. */
  ensureRepo(tenant: string, project: string): Promise<string> {
    const gitDir = repoPath(this.options.root, tenant, project);
    return this.queue.run(gitDir, () => this.init(gitDir));
  }

  /** Records one commit; resolves with its id (`undefined` when the mirror is disabled). */
  commit(request: MirrorCommit): Promise<string | undefined> {
    if (!this.enabled) return Promise.resolve(undefined);
    const gitDir = repoPath(this.options.root, request.tenant, request.project);
    return this.queue.run(gitDir, async () => {
      await this.init(gitDir);
      return this.writeCommit(gitDir, request);
    });
  }

  private async init(gitDir: string): Promise<string> {
    if (await exists(path.join(gitDir, 'HEAD'))) return gitDir;
    await mkdir(path.dirname(gitDir), { recursive: true, mode: 0o700 });
    await runGit(['init', '--quiet', '--bare', `--initial-branch=${MIRROR_BRANCH}`, gitDir]);
    // Read-only for everyone: the HTTP backend must never accept a push, whatever the route says.
    await runGit(['config', 'http.receivepack', 'false'], { gitDir });
    await runGit(['config', 'http.uploadpack', 'true'], { gitDir });
    return gitDir;
  }

  private async writeCommit(gitDir: string, request: MirrorCommit): Promise<string> {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'flotilla-git-index-'));
    try {
      const env = { GIT_INDEX_FILE: path.join(tmp, 'index') };
      const parent = await this.head(gitDir);
      if (parent === undefined) await runGit(['read-tree', '--empty'], { gitDir, env });
      else await runGit(['read-tree', parent], { gitDir, env });
      // `--index-info` works without a work tree (a bare repository); mode 0 removes a path.
      const entries: string[] = [];
      for (const change of request.changes) {
        if (change.content === null) {
          entries.push(`0 ${'0'.repeat(40)}\t${change.path}`);
        } else {
          const blob = (await runGit(['hash-object', '-w', '--stdin'], { gitDir, input: change.content })).trim();
          entries.push(`100644 ${blob}\t${change.path}`);
        }
      }
      await runGit(['update-index', '--index-info'], { gitDir, env, input: `${entries.join('\n')}\n` });
      const tree = (await runGit(['write-tree'], { gitDir, env })).trim();
      const date = `${Math.floor(Date.parse(request.date) / 1000)} +0000`;
      const commitEnv = {
        GIT_AUTHOR_NAME: request.author.name,
        GIT_AUTHOR_EMAIL: request.author.email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: 'Flotilla',
        GIT_COMMITTER_EMAIL: 'flotilla@flotilla.local',
        GIT_COMMITTER_DATE: date,
      };
      const parentArgs = parent === undefined ? [] : ['-p', parent];
      const commit = (
        await runGit(['commit-tree', tree, ...parentArgs], { gitDir, env: commitEnv, input: `${request.message}\n` })
      ).trim();
      // The old value makes the ref update a compare-and-swap: a concurrent writer cannot be lost.
      await runGit(['update-ref', REF, commit, parent ?? ''], { gitDir });
      return commit;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  private async head(gitDir: string): Promise<string | undefined> {
    try {
      return (await runGit(['rev-parse', '--quiet', '--verify', `${REF}^{commit}`], { gitDir })).trim();
    } catch {
      return undefined;
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
