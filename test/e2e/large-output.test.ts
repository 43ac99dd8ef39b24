import { afterEach, describe, expect, it } from 'vitest';
import { testAgents } from './helpers/agents.js';
import { controlPlanes } from './helpers/control-plane.js';
import { agentStatus, finishedJob, submitJob } from './helpers/jobs.js';

const planes = controlPlanes();
const agents = testAgents();
afterEach(async () => {
  await agents.cleanup();
  await planes.cleanup();
});

interface LogPage {
  items: { stream: string; line: string; seq: number }[];
  nextCursor: string | null;
}

describe('large output through the real channel', () => {
  // Regression: a step's captured stdout over 1 MiB made its `step.finished` frame exceed the
  // server's frame limit; the agent replayed it forever and the run never finished.
  // The 40,000-byte line is over the agent's 16 KiB line cap (truncated, marked) and under
  // the process line splitter's 64 KiB wrap, so it stays one line whatever the pipe's chunking.
  // 60,000 lines of 21 bytes (1.26 MB): over 1 MiB with few enough lines that a loaded 2-core
  // machine stores them well within the timeout (the cost is per line, not per byte).
  it('a step printing > 1 MiB and a 40 KB line finishes, every line stored once', async () => {
    const cp = await planes.start();
    const agent = await agents.start({
      serverUrl: cp.url,
      token: await cp.enrollmentToken(),
      dataDir: await agents.dataDir(),
      name: 'big',
    });
    await agentStatus(cp.api, agent.agentId, 'online');
    const workflow = `
name: big-output
tasks:
  - name: many-lines
    type: command
    config: { command: seq, args: ["-f", "%020g", "1", "60000"] }
  - name: long-line
    type: command
    config: { command: sh, args: [-c, "head -c 40000 /dev/zero | tr '\\\\0' x; echo"] }
`;
    const job = await finishedJob(cp.api, await submitJob(cp.api, workflow, 'big'), 90_000);
    expect(job.runs[0]?.state).toBe('succeeded');

    const lines: LogPage['items'] = [];
    let after = 0;
    for (;;) {
      const page = (await cp.api.get(`/jobs/${job.id}/logs?after=${after}&limit=10000`)).body as LogPage;
      lines.push(...page.items);
      if (page.items.length < 10000) break;
      after = page.items.at(-1)!.seq;
    }
    const stdout = lines.filter((l) => l.stream === 'stdout').map((l) => l.line);
    expect(stdout.length).toBe(60_001);
    expect(stdout[0]).toBe('00000000000000000001');
    expect(stdout[59_999]).toBe('00000000000000060000');
    expect(stdout.slice(0, 60_000).join('\n').length).toBeGreaterThan(1024 * 1024);
    expect(new Set(lines.map((l) => l.seq)).size).toBe(lines.length);
    const long = stdout[60_000]!;
    expect(long.startsWith('x'.repeat(1000))).toBe(true);
    expect(long).toMatch(/\[truncated \d+ bytes\]$/);
  }, 120_000);
});
