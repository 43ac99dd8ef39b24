import type { Job } from '@flotilla/protocol';
import type { Rest } from './rest.js';
import { eventually } from './rest.js';

/** `echo hi` as the example workflow. */
export const ECHO_HI = 'name: t\ntasks:\n  - name: hi\n    type: command\n    config: {command: echo, args: [hi]}';
/** A workflow failing with exit code 3. */
export const EXIT_3 =
  "name: t\ntasks:\n  - name: fail\n    type: command\n    config: {command: sh, args: [-c, 'exit 3']}";

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'timed_out', 'interrupted', 'expired']);

/** Submits a job through REST and returns its id. */
export async function submitJob(api: Rest, workflow: string, agent: string): Promise<string> {
  const res = await api.post('/jobs', { workflow, target: { agent } });
  if (res.status !== 201) throw new Error(`job submission failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Waits for a job to reach a terminal state and returns it. */
export async function finishedJob(api: Rest, jobId: string, timeoutMs = 10_000): Promise<Job> {
  return eventually(
    async () => {
      const job = (await api.get(`/jobs/${jobId}`)).body as Job;
      return TERMINAL.has(job.state) ? job : undefined;
    },
    timeoutMs,
    `job ${jobId} finished`,
  );
}

/** Waits until `GET /agents` shows the agent with `status`. */
export async function agentStatus(api: Rest, agentId: string, status: string, timeoutMs = 10_000): Promise<void> {
  await eventually(
    async () => {
      const res = await api.get('/agents');
      return (res.body.items as { id: string; status: string }[]).some((a) => a.id === agentId && a.status === status);
    },
    timeoutMs,
    `agent ${agentId} ${status}`,
  );
}
