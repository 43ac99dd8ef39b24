import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAgentProcess, type AgentProcess } from './agent-process.js';
import { countProcessesMatching, killProcessGroupsMatching, type ManagedProcess } from './managed-process.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
import { freePort } from './wait.js';

/** True when `npm run build` has produced the CLI the chaos tests start. */
export const cliBuilt = existsSync(resolve(import.meta.dirname, '../../../apps/cli/dist/main.js'));

/**
 * Reports a missing build: a loud warning (the suite is skipped), or a failure under
 * `FLOTILLA_REQUIRE_SERVICES=1`. Call at module level of each chaos test file.
 */
export function requireBuiltCli(suite: string): void {
  if (cliBuilt) return;
  const message = `${suite} needs the build: apps/cli/dist is missing — run \`npm run build\` (npm test does)`;
  if (process.env.FLOTILLA_REQUIRE_SERVICES === '1') throw new Error(message);
  console.warn(`SKIPPED ${message}`);
}

/**
 * One temp directory holding every data dir, log and marker file of a chaos suite, plus the
 * processes and proxies started in it. Every process started here has the directory in its
 * argv (its `--data`), and so do step commands that write markers into it: `cleanup()` finds
 * them all by that path, orphans of a SIGKILLed agent included, and kills their process groups.
 */
export interface ChaosLab {
  readonly root: string;
  /** A fresh sub-directory of the lab. */
  dir(name: string): Promise<string>;
  /** A control plane on a free port with its own data dir. */
  startServer(name?: string): Promise<ServerProcess>;
  /** Enrols and starts an agent against `server` (through `via` when given) and waits until it is online. */
  startAgent(options: { server: ServerProcess; name: string; via?: TcpProxy }): Promise<AgentProcess>;
  /** A cuttable TCP proxy in front of `server`. */
  proxy(server: ServerProcess): Promise<TcpProxy>;
  /**
   * Kills leftover step processes (orphans of a SIGKILLed agent) whose command line contains
   * `marker`, e.g. a lab sub-directory only step commands mention (never the lab root, which
   * every server and agent has in its argv). Returns how many processes matched.
   */
  killOrphans(marker: string): number;
  /** How many running processes have `marker` in their command line (nothing is killed). */
  countProcesses(marker: string): number;
  /** Stops everything, kills every process left in the lab, removes the directory (kept with `FLOTILLA_CHAOS_KEEP=1`). */
  cleanup(): Promise<void>;
}

export async function createChaosLab(): Promise<ChaosLab> {
  const root = await mkdtemp(join(tmpdir(), 'flotilla-chaos-'));
  const processes: (() => ManagedProcess)[] = [];
  const proxies: TcpProxy[] = [];
  const dir = async (name: string): Promise<string> => {
    const path = join(root, name);
    await mkdir(path, { recursive: true });
    return path;
  };
  return {
    root,
    dir,
    async startServer(name = 'server') {
      const server = await startServerProcess({ dataDir: await dir(name), port: await freePort() });
      processes.push(() => server.process);
      return server;
    },
    async startAgent({ server, name, via }) {
      const agent = await startAgentProcess({
        name,
        dataDir: await dir(`agent-${name}`),
        serverUrl: via?.url ?? server.url,
        token: await server.enrollmentToken(),
        client: server.client,
      });
      processes.push(() => agent.process);
      return agent;
    },
    async proxy(server) {
      const proxy = await startTcpProxy(server.port);
      proxies.push(proxy);
      return proxy;
    },
    killOrphans: (marker) => killProcessGroupsMatching(marker),
    countProcesses: (marker) => countProcessesMatching(marker),
    async cleanup() {
      // Agents first (they were started after their server), so no agent logs a lost server.
      for (const current of processes.splice(0).reverse()) await current().stop(1500);
      for (const proxy of proxies.splice(0)) await proxy.close();
      killProcessGroupsMatching(root);
      // For post-mortems: data dirs, server/agent logs and markers stay where they were.
      if (process.env.FLOTILLA_CHAOS_KEEP === '1') console.warn(`chaos lab kept at ${root}`);
      else await rm(root, { recursive: true, force: true });
    },
  };
}
