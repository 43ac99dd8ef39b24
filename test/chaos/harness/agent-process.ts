import { join } from 'node:path';
import type { FlotillaClient } from '@flotilla/client';
import { spawnFlotilla, type ManagedProcess } from './managed-process.js';
import { waitUntil } from './wait.js';

/** A real `flotilla agent` process with its own data dir. */
export interface AgentProcess {
  readonly name: string;
  readonly dataDir: string;
  /** The URL the agent dials: the control plane itself or a proxy in front of it. */
  readonly serverUrl: string;
  /** Known once the control plane lists the agent. */
  readonly agentId: string;
  readonly process: ManagedProcess;
  /** SIGKILL the agent's whole process group (steps and the launcher helper have their own). */
  kill9(): Promise<void>;
  /** SIGKILL the agent's pid alone (`kill -9 <pid>`): whatever it started is not signalled. */
  kill9Pid(): Promise<void>;
  /**
   * Starts the agent again on the same data dir (no enrolment token: it is enrolled already).
   * Does not wait for it to connect: callers wait for what they need to observe.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface AgentProcessOptions {
  name: string;
  dataDir: string;
  serverUrl: string;
  /** Enrolment token for the first start; passed by env, never argv. */
  token: string;
  /** Used to wait until the control plane lists the agent `online`. */
  client: FlotillaClient;
  logFile?: string;
}

/** Waits until the control plane lists the agent `name` as online; returns its id. */
export async function waitForAgentOnline(client: FlotillaClient, name: string, timeoutMs = 20_000): Promise<string> {
  return waitUntil(
    async () =>
      (await client.api.agents.list({ query: { limit: 500 } })).items.find(
        (a) => a.name === name && a.status === 'online',
      )?.id,
    { timeoutMs, what: `agent ${name} online`, intervalMs: 50 },
  );
}

/** Starts `flotilla agent --server URL --data D --name N --log-level warn`; resolves once it is online. */
export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const logFile = options.logFile ?? join(options.dataDir, '..', `agent-${options.name}.log`);
  const launch = (token: string | undefined): ManagedProcess =>
    spawnFlotilla({
      label: `agent ${options.name}`,
      args: [
        'agent',
        '--server',
        options.serverUrl,
        '--data',
        options.dataDir,
        '--name',
        options.name,
        '--log-level',
        'warn',
      ],
      env: token === undefined ? {} : { FLOTILLA_ENROLL_TOKEN: token },
      logFile,
    });
  const online = async (proc: ManagedProcess): Promise<string> => {
    const exitedEarly = proc.exited.then(async (exit) => {
      throw new Error(`agent ${options.name} exited ${JSON.stringify(exit)}:\n${await proc.output()}`);
    });
    exitedEarly.catch(() => undefined);
    return Promise.race([waitForAgentOnline(options.client, options.name), exitedEarly]);
  };
  let current = launch(options.token);
  const agentId = await online(current);
  return {
    name: options.name,
    dataDir: options.dataDir,
    serverUrl: options.serverUrl,
    agentId,
    get process() {
      return current;
    },
    async kill9() {
      await current.kill9();
    },
    async kill9Pid() {
      await current.kill9Pid();
    },
    restart() {
      if (current.exit === undefined)
        return Promise.reject(new Error('restart() needs the agent stopped or killed first'));
      current = launch(undefined);
      return Promise.resolve();
    },
    async stop() {
      await current.stop();
    },
  };
}
