import { basename, isAbsolute, resolve } from 'node:path';
import { StepError } from '@flotilla/workflow';
import type { StepPolicy } from '@flotilla/workflow';

/**
 * Throws a `POLICY_DENIED` StepError (not retryable) unless the agent policy allows `command`:
 * `allowedCommands` contains `'*'`, the command's basename, or its absolute path (a relative
 * path is resolved against `cwd`, default the agent's working directory).
 */
export function assertCommandAllowed(policy: StepPolicy, command: string, cwd?: string): void {
  const allowed = policy.allowedCommands;
  if (allowed.includes('*')) return;
  const candidates = [basename(command)];
  if (command.includes('/')) {
    candidates.push(isAbsolute(command) ? command : resolve(cwd ?? process.cwd(), command));
  }
  if (candidates.some((candidate) => allowed.includes(candidate))) return;
  throw new StepError('POLICY_DENIED', `the agent policy does not allow running "${command}" (allowedCommands)`);
}
