import { spawn } from 'node:child_process';

/** How to run one `git` command. */
export interface GitCommandOptions {
  /** The repository (`--git-dir`); omitted for commands that need none (`git --version`). */
  gitDir?: string | undefined;
  /** Extra environment (author, temporary index); the process environment is kept for PATH/HOME. */
  env?: Record<string, string> | undefined;
  /** Written to stdin, then stdin is closed. */
  input?: string | Buffer | undefined;
}

/** A failed git command: exit code and stderr (never contains secrets: we only pass paths and ids). */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args[0] ?? ''} failed (exit ${String(exitCode)}): ${stderr.trim()}`);
    this.name = 'GitCommandError';
  }
}

/**
 * Runs `git` with arguments as an argv array (no shell) and resolves with its stdout. Git's own
 * config files are ignored so a developer's `~/.gitconfig` cannot change what the mirror writes.
 */
export function runGit(args: readonly string[], options: GitCommandOptions = {}): Promise<string> {
  const argv = options.gitDir === undefined ? [...args] : [`--git-dir=${options.gitDir}`, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn('git', argv, {
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_TERMINAL_PROMPT: '0',
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new GitCommandError(args, code, Buffer.concat(err).toString('utf8')));
    });
    child.stdin.on('error', () => undefined); // git may exit before reading all input; its exit code says why
    child.stdin.end(options.input ?? '');
  });
}

/** The installed git version (`2.39.5`), or `undefined` when git is not on the PATH. */
export async function gitVersion(): Promise<string | undefined> {
  try {
    const text = await runGit(['--version']);
    return /(\d+\.\d+[.\d]*)/.exec(text)?.[1] ?? text.trim();
  } catch {
    return undefined;
  }
}
