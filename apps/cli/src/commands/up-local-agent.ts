import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentHandle } from '@flotilla/agent';
import { isFlotillaError, type AgentStatus } from '@flotilla/protocol';

/** What `flotilla up` hands the supervisor of its embedded agent. */
export interface LocalAgentSupervisorOptions {
  /** Starts the agent again on its data dir (a refused agent has stopped for good). */
  readonly restart: () => Promise<AgentHandle>;
  /** The agent's status as the control plane lists it; `undefined` when its record is gone. */
  readonly status: (agentId: string) => Promise<AgentStatus | undefined>;
  /** Where report lines go (`up` prints them on standard error). */
  readonly report: (line: string) => void;
  /** The agent's data dir: removing it is how a revoked local agent is replaced. */
  readonly agentDir: string;
  /** Aborted when `up` stops; the agent stops with it (it was started with this signal). */
  readonly signal: AbortSignal;
  /** How often a disabled agent's status is looked up. @default 2000 */
  readonly pollIntervalMs?: number | undefined;
}

const DEFAULT_POLL_INTERVAL_MS = 2000;

/**
 * Keeps `flotilla up`'s agent apart from its control plane's lifetime. An agent that the control
 * plane refuses for good stops (that is right for a standalone agent); here the control plane
 * must go on serving, so the refusal is reported instead and, while the agent is `disabled`, its
 * status is polled through the API: once an admin enables it again, the agent is started again.
 * A revoked or deleted agent is not replaced behind the admin's back: the report says how to
 * enrol a new one. Resolves when `up` stops (its signal aborts) and the agent has stopped.
 */
export async function superviseLocalAgent(first: AgentHandle, options: LocalAgentSupervisorOptions): Promise<void> {
  let agent = first;
  for (;;) {
    try {
      await agent.done;
      return; // stopped because `up` stops
    } catch (err) {
      if (options.signal.aborted) return;
      // Only a refusal (disabled/revoked) can be lifted by an admin; any other fatal error
      // (key mismatch, protocol version) would fail again at once.
      const liftable = isFlotillaError(err) && err.code === 'AGENT_REVOKED';
      const back = await waitUntilTrusted(agent, describeFatal(err), liftable, options);
      if (!back || options.signal.aborted) return;
      options.report(`local agent "${agent.name}" is enabled again: reconnecting`);
      agent = await options.restart();
      // an abort during the start came before the agent listened for it
      if (options.signal.aborted) await agent.stop();
    }
  }
}

/**
 * Reports why the agent stopped and, when `liftable`, polls its status until it is trusted again
 * (true) or `up` stops (false). Each distinct report is printed once.
 */
async function waitUntilTrusted(
  agent: AgentHandle,
  why: string,
  liftable: boolean,
  options: LocalAgentSupervisorOptions,
): Promise<boolean> {
  const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  let reported: string | undefined;
  let waitingForAdmin = true;
  while (!options.signal.aborted) {
    let line: string;
    try {
      const status = await options.status(agent.agentId);
      if (liftable && (status === 'online' || status === 'offline')) return true;
      line = statusReport(agent.name, status, why, options.agentDir);
      // revoked and deleted are final; anything else but `disabled`/`pending` needs no admin poll
      waitingForAdmin = liftable && (status === 'disabled' || status === 'pending');
    } catch (err) {
      line = `local agent "${agent.name}" stopped (${why}); its status cannot be read (${describeFatal(err)}). The control plane keeps serving.`;
    }
    if (line !== reported) options.report(line);
    reported = line;
    if (!waitingForAdmin) break;
    await sleep(interval, undefined, { signal: options.signal }).catch(() => undefined);
  }
  // nothing more to wait for: `up` serves on until it is stopped
  if (!options.signal.aborted) {
    await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
  }
  return false;
}

function statusReport(name: string, status: AgentStatus | undefined, why: string, agentDir: string): string {
  const enrolAgain = `to enrol a new local agent, stop flotilla up, remove ${agentDir} and start it again`;
  switch (status) {
    case 'disabled':
      return `local agent "${name}" is disabled: the control plane refuses it until it is enabled again (npx flotilla agents enable ${name}). The control plane keeps serving.`;
    case 'pending':
      return `local agent "${name}" is waiting for approval (npx flotilla agents approve ${name}). The control plane keeps serving.`;
    case 'revoked':
      return `local agent "${name}" is revoked: its key is no longer trusted. The control plane keeps serving; ${enrolAgain}.`;
    case undefined:
      return `local agent "${name}" is no longer enrolled (its record was deleted). The control plane keeps serving; ${enrolAgain}.`;
    case 'online':
    case 'offline':
      return `local agent "${name}" stopped (${why}). The control plane keeps serving.`;
  }
}

function describeFatal(err: unknown): string {
  if (isFlotillaError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}
