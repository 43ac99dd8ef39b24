import type { JobTarget } from '@flotilla/protocol';

/** A job's target in one line: `agent web-1`, `role=web,env=prod (all, batches of 2, max 1 failure)`. */
export function targetText(target: JobTarget): string {
  if ('agent' in target) return `agent ${target.agent}`;
  const rollout = target.rollout;
  if ('agents' in target) {
    const batches = rollout?.batch_size === undefined ? '' : ` (batches of ${rollout.batch_size})`;
    return `agents ${target.agents.join(', ')}${batches}`;
  }
  const selector = Object.entries(target.selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  const details: string[] = [target.mode === 'any' ? 'any one' : 'all'];
  if (rollout?.batch_size !== undefined) details.push(`batches of ${rollout.batch_size}`);
  if (rollout?.stop_on_failure === true) details.push('stop on failure');
  else if (rollout?.max_failures !== undefined) details.push(`max ${rollout.max_failures} failures`);
  return `${selector} (${details.join(', ')})`;
}
