import { EventEmitter } from 'node:events';
import type { LogLine, RunState } from '@flotilla/protocol';

/** A job or one of its runs changed state. */
export interface JobUpdate {
  jobId: string;
  runId: string;
  /** The agent of the run (whose concurrency slot may have freed up). */
  agentId: string;
  jobState: RunState;
  runState: RunState;
}

/** A log line was stored. */
export interface JobLog {
  jobId: string;
  line: LogLine;
}

interface JobEventMap {
  update: [JobUpdate];
  log: [JobLog];
}

/**
 * In-process notifications of job progress, for live views (`jobs logs -f`, SSE, the UI).
 * Emitted after the change is committed, so a subscriber that re-reads the store sees it.
 */
export class JobEvents extends EventEmitter<JobEventMap> {
  constructor() {
    super();
    // Every follower of a job subscribes; many followers are normal, not a leak.
    this.setMaxListeners(0);
  }
}
