import { realpath } from 'node:fs/promises';
import { basename, delimiter, isAbsolute, resolve } from 'node:path';
import { StepError } from '@flotilla/workflow';
import type { StepPolicy } from '@flotilla/workflow';
import { findExecutable } from './find-executable.js';
import { assertLoaderEnvAllowed, commandsRestricted } from './loader-env.js';

/** A program a step wants to start, as the step would start it. */
export interface CommandRequest {
  /** A name (looked up on PATH) or a path (relative to `cwd`). */
  readonly command: string;
  /** The step's working directory. @default the agent's */
  readonly cwd?: string | undefined;
  /** What the step adds to the agent's environment: its `env` config and the run's secrets. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The agent's own PATH without relative entries: those would resolve against the step's working
 * directory when the program starts, which the workflow chooses.
 */
function agentPath(): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => isAbsolute(dir))
    .join(delimiter);
}

/**
 * Where a step looks up the programs it starts by name (interpreters, service managers): the
 * agent's own PATH while `allowed_commands` is restricted, so a step's `env` cannot choose them.
 */
export function programSearchPath(policy: StepPolicy, env: Readonly<Record<string, string>>): string {
  if (commandsRestricted(policy)) return agentPath();
  return env.PATH ?? process.env.PATH ?? '';
}

/** The absolute path `command` names: a bare name on the agent's PATH, a path against `cwd`. */
async function locate(command: string, cwd: string | undefined): Promise<string | undefined> {
  if (!command.includes('/')) return findExecutable(command, agentPath());
  return resolve(cwd ?? process.cwd(), command);
}

/** Where an allowed entry points: a name on the agent's PATH, or an absolute path (others match nothing). */
async function locateEntry(entry: string): Promise<string | undefined> {
  if (!entry.includes('/')) return findExecutable(entry, agentPath());
  return isAbsolute(entry) ? resolve(entry) : undefined;
}

const realpathOf = (path: string): Promise<string | undefined> => realpath(path).catch(() => undefined);

/**
 * Checks that the policy lets a step start `command` with `env`, and returns the program to
 * start (SPEC §4). Loader variables are checked first (`assertLoaderEnvAllowed`). With `'*'` in
 * `allowedCommands` the command is returned as given. Otherwise it is resolved the way it would
 * be executed — a bare name on the agent's own PATH (never the step's), a relative path against
 * `cwd` — symlinks followed, and compared with each allowed entry resolved the same way: the
 * same file under the same name. The entry's own path is returned, so what starts is the file
 * the operator allowed, even if the step's path is swapped after the check.
 *
 * Throws `POLICY_DENIED` (not retryable) when nothing matches, and `STEP_FAILED` when an
 * allowed name names no existing program.
 */
export async function authorizeCommand(policy: StepPolicy, request: CommandRequest): Promise<string> {
  assertLoaderEnvAllowed(policy, request.env);
  if (!commandsRestricted(policy)) return request.command;
  const requested = await locate(request.command, request.cwd);
  const target = requested === undefined ? undefined : await realpathOf(requested);
  const name = basename(requested ?? request.command);
  if (requested !== undefined && target !== undefined) {
    // only entries of the same name can match: the others are not even looked up
    for (const entry of policy.allowedCommands.filter((e) => basename(e) === name)) {
      const allowed = await locateEntry(entry);
      if (allowed === undefined || basename(allowed) !== name) continue;
      if ((await realpathOf(allowed)) === target) return allowed;
    }
  } else if (policy.allowedCommands.some((entry) => basename(entry) === name)) {
    // allowed by name but not there: the same answer as starting a program that does not exist
    const where = request.command.includes('/') ? '' : " on the agent's PATH";
    throw new StepError('STEP_FAILED', `command not found${where}: ${request.command}`);
  }
  const resolved = requested === undefined ? '' : ` (${requested})`;
  throw new StepError(
    'POLICY_DENIED',
    `the agent policy does not allow running "${request.command}"${resolved} (allowed_commands)`,
  );
}
