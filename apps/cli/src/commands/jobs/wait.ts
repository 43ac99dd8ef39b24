import type { FlotillaClient } from '@flotilla/client';
import type { Job, LogLine } from '@flotilla/protocol';
import { progressText } from '../../output/job-format.js';
import { createProgress } from '../../output/progress.js';

export interface WaitOptions {
  onLog?: (line: LogLine) => void;
  /** Show `12/50 done…` on stderr while waiting (TTY only). @default true */
  progress?: boolean;
}

/** Follows a job to its end, with a progress line on a terminal; Ctrl-C stops waiting (the job goes on). */
export async function waitForJobWithProgress(
  client: FlotillaClient,
  job: Job,
  options: WaitOptions = {},
): Promise<Job> {
  const progress = createProgress();
  const show = options.progress !== false;
  if (show) progress.update(progressText(job));
  try {
    return await client.followJob(job.id, {
      ...(options.onLog === undefined ? {} : { onLog: options.onLog }),
      onState: (current) => {
        if (show) progress.update(progressText(current));
      },
    });
  } finally {
    progress.done();
  }
}

/** Exit code of a waited-for job: 0 when it succeeded, 1 otherwise. */
export function jobExitCode(job: Job): number {
  return job.state === 'succeeded' ? 0 : 1;
}
