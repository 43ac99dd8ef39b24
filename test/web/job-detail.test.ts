/**
 * The job page in a real Chromium against a real control plane and a real agent: steps turning
 * green live, a permalink to a line, and the log follow surviving a dropped stream with
 * contiguous sequence numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '@flotilla/protocol';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { finishedJob, submitJob } from '../e2e/helpers/jobs.js';
import { eventually } from '../e2e/helpers/rest.js';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { startConnectionCutter } from './helpers/connection-cutter.js';
import { signIn, uiFixture } from './helpers/ui-server.js';

/** Three steps, one after the other, each printing and then taking a moment. */
const THREE_STEPS = `name: three-steps
tasks:
  - name: fetch
    type: command
    config: { command: "echo fetching; sleep 1.5", shell: true }
  - name: build
    type: command
    config: { command: "echo building; sleep 1.5", shell: true }
  - name: ship
    type: command
    config: { command: "echo shipped", shell: true }
`;

/** `count` numbered lines, `delay` seconds apart. */
function slowLines(count: number, delay: number): string {
  return `name: slow-lines
tasks:
  - name: count
    type: command
    config: { command: "for i in $(seq 1 ${count}); do echo line $i; sleep ${delay}; done", shell: true }
`;
}

/** The step states the graph shows, by step id. */
async function graphStates(tab: WatchedPage): Promise<Record<string, string>> {
  const nodes = tab.page.locator('[data-test="step-graph"] [data-step]');
  const states: Record<string, string> = {};
  for (const node of await nodes.all()) {
    states[(await node.getAttribute('data-step')) ?? ''] = (await node.getAttribute('data-state')) ?? '';
  }
  return states;
}

/** The sequence numbers of the log rows in the page (the virtualised window), in order. */
async function renderedSeqs(tab: WatchedPage): Promise<number[]> {
  const seqs = await tab.page.locator('[data-test="log-lines"] [data-seq]').evaluateAll(
    // Browser code as text would lose the types; this callback only reads attributes.
    (rows) => rows.map((row) => Number(row.getAttribute('data-seq'))),
  );
  return seqs.sort((a, b) => a - b);
}

describe.skipIf(!chromiumAvailable())('job page (real Chromium, real agent)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;

  beforeAll(async () => {
    cp = await fixture.start();
    await fixture.agent(cp, 'web-1');
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  it('shows a 3-step workflow turning green step by step, without a reload', async () => {
    const jobId = await submitJob(cp.api, THREE_STEPS, 'web-1');
    await tab.page.goto(`/jobs/${jobId}`);
    await tab.page.locator('[data-test="job-title"]').getByText('three-steps').waitFor();
    // A marker on the window: a reload would lose it.
    await tab.page.evaluate('window.__notReloaded = true');

    const seen: Record<string, string>[] = [];
    await eventually(
      async () => {
        const states = await graphStates(tab);
        seen.push(states);
        return states.ship === 'succeeded';
      },
      20_000,
      'every step succeeded',
    );
    // Seen on the way: fetch done while ship had not started, then build done.
    expect(seen.some((s) => s.fetch === 'succeeded' && s.ship === 'pending')).toBe(true);
    expect(seen.some((s) => s.build === 'running')).toBe(true);
    await tab.page.locator('[data-test="job-state"]').getByText('succeeded').waitFor();
    expect(await tab.page.evaluate('window.__notReloaded')).toBe(true);
    await tab.page.locator('[data-test="log-lines"] .text', { hasText: /^shipped$/ }).waitFor();
    await tab.screenshot('job-detail-three-steps');
  });

  it('follows the log across a dropped stream: every line once, contiguous sequence numbers', async () => {
    // A tab that reaches the control plane through a relay the test can cut.
    const relay = await startConnectionCutter(cp.port);
    const cutTab = await browser.open(relay.url);
    try {
      await signIn(cutTab);
      const jobId = await submitJob(cp.api, slowLines(60, 0.1), 'web-1');
      await cutTab.page.goto(`/jobs/${jobId}`);
      const log = cutTab.page.locator('[data-test="log-lines"]');
      await eventually(async () => Number(await log.getAttribute('data-line-count')) >= 5, 10_000, 'first lines');

      // Drop every connection while lines are produced, and refuse new ones for a moment.
      const before = Number(await log.getAttribute('data-line-count'));
      relay.cut(1500);
      await cutTab.page.locator('[data-test="log-connection-lost"]').waitFor();
      expect(before).toBeLessThan(60);

      await finishedJob(cp.api, jobId, 20_000);
      // What the server stored: the 60 lines (and the agent's own system lines), seq 1..n.
      const stored = (await cp.api.get(`/jobs/${jobId}/logs?limit=10000`)).body.items as LogLine[];
      const last = stored.at(-1)?.seq ?? 0;
      expect(stored.filter((l) => l.line.startsWith('line ')).length).toBe(60);
      await eventually(
        async () => Number(await log.getAttribute('data-line-count')) === stored.length,
        15_000,
        'every stored line shown',
      );
      await cutTab.page.locator('[data-test="log-connection-lost"]').waitFor({ state: 'detached' });
      expect(await log.getAttribute('data-first-seq')).toBe('1');
      expect(await log.getAttribute('data-last-seq')).toBe(String(last));
      // As many lines as sequence numbers from 1 to the last: none missing, none twice.
      expect(stored.length).toBe(last);
      // The rows in the page (following: the newest) are consecutive, each once, each its own line.
      const seqs = await renderedSeqs(cutTab);
      expect(seqs.length).toBeGreaterThan(5);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
      expect(seqs.at(-1)).toBe(last);
      const textOf = new Map(stored.map((l) => [l.seq, l.line]));
      for (const seq of seqs) {
        const text = await cutTab.page.locator(`[data-test="log-lines"] [data-seq="${seq}"] .text`).textContent();
        expect(text).toBe(textOf.get(seq));
      }
      await cutTab.screenshot('job-detail-resumed-log');
      // Only the cut itself may have been reported (failed loads while the relay refused).
      expect(cutTab.problems.filter((p) => !p.includes('net::ERR_'))).toEqual([]);
    } finally {
      await cutTab.context.close();
      await relay.close();
    }
  });

  it('opens a permalink to a line, scrolled to and highlighted; clicking a line number makes one', async () => {
    const jobId = await submitJob(cp.api, slowLines(300, 0), 'web-1');
    await finishedJob(cp.api, jobId, 20_000);
    const stored = (await cp.api.get(`/jobs/${jobId}/logs?limit=10000`)).body.items as LogLine[];
    const target = stored.find((l) => l.line === 'line 150')?.seq;
    await tab.page.goto(`/jobs/${jobId}#L${target}`);
    const row = tab.page.locator(`[data-test="log-lines"] [data-seq="${target}"]`);
    await row.waitFor();
    expect(await row.getAttribute('class')).toContain('highlighted');
    expect(await row.locator('.text').textContent()).toBe('line 150');
    await expect(row.isVisible()).resolves.toBe(true);
    await tab.screenshot('job-detail-permalink');

    // `?line=` works the same; a click on a line number puts that line's link in the address.
    await tab.page.goto(`/jobs/${jobId}?line=42`);
    const other = tab.page.locator('[data-test="log-lines"] [data-seq="42"]');
    await other.waitFor();
    expect(await other.getAttribute('class')).toContain('highlighted');
    await tab.page.locator('[data-test="log-lines"] [data-seq="44"] a.seq').click();
    await tab.page.waitForURL(/#L44$/);
    expect(await tab.page.locator('[data-test="log-lines"] [data-seq="44"]').getAttribute('class')).toContain(
      'highlighted',
    );
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
