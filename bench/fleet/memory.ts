import { readFile } from 'node:fs/promises';
import type { BenchControlPlane } from './control-plane.js';
import { benchTempDir, rssKiB, startFlotilla, startTsChild, stopChild } from './processes.js';
import { sleep, until } from './stats.js';

/** CPU seconds (user + system) a process has used, from /proc/PID/stat (clock ticks at 100 Hz). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** (e1) One `flotilla agent` process (the built CLI, as users run it), connected and idle: RSS and CPU share over `idleMs`. */
export async function idleAgent(cp: BenchControlPlane, idleMs = 5000) {
  const dataDir = benchTempDir('idle');
  const token = await cp.enrollmentToken(1, { role: 'idle-agent' });
  const before = cp.server.hub.connectedCount();
  const args = ['agent', '--server', cp.url, '--data', dataDir, '--name', 'idle-000', '--log-level', 'silent'];
  // The token goes through the environment, as the CLI recommends (not visible in ps).
  const agent = startFlotilla(args, { FLOTILLA_ENROLL_TOKEN: token });
  try {
    await until(() => cp.server.hub.connectedCount() > before, 'the idle agent connected', 60_000, 20);
    const pid = agent.pid ?? 0;
    await sleep(2000); // settle: enrolment, handshake, first GC
    const cpuBefore = await cpuSeconds(pid);
    await sleep(idleMs);
    const cpuPercent = (((await cpuSeconds(pid)) - cpuBefore) / (idleMs / 1000)) * 100;
    return { rssMiB: (await rssKiB(pid)) / 1024, cpuPercent };
  } finally {
    await stopChild(agent);
  }
}

const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('bench: run node with --expose-gc');
  for (let i = 0; i < 3; i++) collect();
};

/** (e2) Server memory per idle connection: heap and RSS of this process (the control plane) before and after `count` raw connections. */
export async function serverMemoryPerConnection(cp: BenchControlPlane, count: number) {
  const token = await cp.enrollmentToken(count, { role: 'idle' });
  const { child } = await startTsChild(
    './raw-clients.ts',
    {
      BENCH_RAW_CLIENTS: JSON.stringify({ serverUrl: cp.url, token, count, prefix: 'raw' }),
    },
    300_000,
  );
  try {
    await sleep(500);
    gc();
    const before = process.memoryUsage();
    const connectedBefore = cp.server.hub.connectedCount();
    const connected = new Promise<void>((resolve) =>
      child.on('message', (m: { connected?: number }) => m.connected !== undefined && resolve()),
    );
    child.send('connect');
    await connected;
    await until(
      () => cp.server.hub.connectedCount() >= connectedBefore + count,
      `${count} raw connections`,
      120_000,
      20,
    );
    await sleep(1000);
    gc();
    const after = process.memoryUsage();
    return {
      count,
      heapPerConnBytes: (after.heapUsed + after.external - before.heapUsed - before.external) / count,
      rssPerConnBytes: (after.rss - before.rss) / count,
    };
  } finally {
    await stopChild(child);
  }
}
