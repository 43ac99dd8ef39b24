import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import type { TestServer } from '../helpers/server.js';

/**
 * A document at the limits: 2,000 steps and just under 1 MiB, each step with 20 arguments and a
 * long string (0.5–1 s of CPU to validate; documents of only short tokens take longer still).
 */
function maximalDocument(): string {
  let text = 'name: maximal\ntasks:\n';
  const perStep = Math.floor((1024 * 1024 - 1000) / 2000);
  for (let i = 0; i < 2000; i++) {
    const args = Array.from({ length: 20 }, (_, n) => `a${n}`).join(', ');
    const step = `  - name: s${i}\n    type: command\n    config:\n      command: echo\n      args: [${args}, "`;
    text += `${step}${'x'.repeat(perStep - step.length - 3)}"]\n`;
  }
  return text;
}

describe('validating a large document does not block the server', () => {
  let t: TestServer;
  let base: string;
  beforeAll(async () => {
    t = await startTestServer();
    base = await t.server.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('/healthz answers while a maximal document is validated (max poll latency far below the validation time)', async () => {
    const document = maximalDocument();
    expect(document.length).toBeLessThanOrEqual(1024 * 1024);
    // serialised before the clock starts: the test shares the event loop with the server
    const body = JSON.stringify({ document });
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const started = performance.now();
    let duration = 0;
    const validation = fetch(`${base}/api/v1/workflows/validate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      body,
    }).then(async (res) => {
      duration = performance.now() - started;
      return { status: res.status, body: (await res.json()) as { ok?: boolean } };
    });
    const latencies: number[] = [];
    // Polls one after another (5 ms apart) until the validation answers. Each latency runs from
    // the end of the previous poll, so a blocked event loop shows whether it blocks the request
    // or the pause before it.
    let previous = performance.now();
    while (duration === 0) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const health = await fetch(`${base}/healthz`);
      const now = performance.now();
      latencies.push(now - previous);
      previous = now;
      expect(health.status).toBe(200);
    }
    const result = await validation;
    loopDelay.disable();
    const sorted = [...latencies].sort((a, b) => a - b);
    const max = sorted.at(-1) ?? 0;
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    console.log(
      `validation ${duration.toFixed(0)} ms; /healthz polls ${latencies.length}, median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms; ` +
        `event-loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`,
    );
    expect(result).toEqual({ status: 200, body: { ok: true, problems: [], warnings: [] } });
    // Generous for a loaded shared machine; validated on the event loop, the max is the duration.
    expect(max).toBeLessThan(duration / 4);
    // The document must be heavy enough for the comparison to mean something.
    expect(duration).toBeGreaterThan(300);
    expect(latencies.length).toBeGreaterThan(3);
    // a loaded machine can stretch the validation to many seconds
  }, 120_000);
});
