import type { JobLogsEvent, RunChangedEvent, StepChangedEvent } from '../cluster/cluster-messages.js';

/**
 * A run (and with it its job) changed state: what a transition returns once it is written, and,
 * after the commit, what is published as `run.changed` on the cluster bus.
 */
export type JobUpdate = Omit<RunChangedEvent, 'type'>;

/** Log lines `fromSeq`..`toSeq` of a run were stored: published as `job.logs` after the commit. */
export type StoredLogs = Omit<JobLogsEvent, 'type'>;

/** Steps of a run started or ended: published as `step.changed` after the commit. */
export type StepUpdate = Omit<StepChangedEvent, 'type'>;
