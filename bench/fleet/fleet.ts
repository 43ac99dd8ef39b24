import { rm } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import type { BenchControlPlane } from './control-plane.js';
import { benchTempDir, startTsChild, stopChild } from './processes.js';
import { until } from './stats.js';

/** Real agents spread over a few host processes. */
export interface Fleet {
  names: string[];
  hosts: { child: ChildProcess; pid: number }[];
  stop(): Promise<void>;
}

export interface FleetOptions {
  prefix: string;
  count: number;
  labels: Record<string, string>;
  /** Host processes to spread the agents over. @default 2 (one per core) */
  hosts?: number;
}

/** Starts `count` agents and resolves once the control plane sees all of them connected. */
export async function startFleet(cp: BenchControlPlane, options: FleetOptions): Promise<Fleet> {
  const dataDir = benchTempDir(options.prefix);
  const token = await cp.enrollmentToken(options.count, options.labels);
  const names = Array.from({ length: options.count }, (_, i) => `${options.prefix}-${String(i).padStart(3, '0')}`);
  const hostCount = Math.min(options.hosts ?? 2, options.count);
  const before = cp.server.hub.connectedCount();
  const hosts = await Promise.all(
    Array.from({ length: hostCount }, async (_, h) => {
      const mine = names.filter((_n, i) => i % hostCount === h);
      const env = {
        BENCH_AGENT_HOST: JSON.stringify({ serverUrl: cp.url, token, names: mine, labels: options.labels, dataDir }),
      };
      const { child, ready } = await startTsChild('./agent-host.ts', env);
      return { child, pid: Number(ready.pid) };
    }),
  );
  await until(
    () => cp.server.hub.connectedCount() >= before + options.count,
    `${options.count} ${options.prefix} agents connected`,
    120_000,
    20,
  );
  return {
    names,
    hosts,
    async stop() {
      await Promise.all(hosts.map((h) => stopChild(h.child)));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
