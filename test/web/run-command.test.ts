/**
 * "Run a command" in a real Chromium against a real control plane and real agents: the output
 * of a command on one agent streams into the page as it is printed; on agents picked by labels,
 * a row per agent fills in with its exit code and first lines, as `flotilla exec` prints them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { eventually } from '../e2e/helpers/rest.js';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';

describe.skipIf(!chromiumAvailable())('run a command (real Chromium, real agents)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;

  beforeAll(async () => {
    cp = await fixture.start();
    await fixture.agent(cp, 'cmd-1', { tier: 'cmd' });
    await fixture.agent(cp, 'cmd-2', { tier: 'cmd' });
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  it('runs a command on one agent and shows its output as it streams, then its exit code', async () => {
    await tab.page.goto('/run');
    await tab.page.getByLabel('Command').fill('for i in 1 2 3 4 5; do echo tick $i; sleep 0.6; done; exit 3');
    await tab.page.locator('[data-test="run-agent"]').click();
    await tab.page.getByRole('option', { name: /cmd-1/ }).click();
    await tab.page.locator('[data-test="run-submit"]').click();

    const results = tab.page.locator('[data-test="command-results"]');
    await results.waitFor();
    const ticks = results.locator('[data-test="log-lines"] .text', { hasText: /^tick \d$/ });
    // Streaming: the first ticks are in the page while the command still runs.
    await ticks.first().waitFor({ timeout: 15_000 });
    await eventually(async () => (await ticks.count()) >= 2, 10_000, 'two ticks');
    expect(await ticks.count()).toBeLessThan(5);
    expect(await results.locator('[data-test="command-state"]').getAttribute('data-state')).toBe('running');
    await tab.screenshot('run-command-streaming');

    await results.locator('[data-test="command-state"][data-state="failed"]').waitFor({ timeout: 15_000 });
    expect(await ticks.allTextContents()).toEqual(['tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5']);
    expect(await results.locator('[data-test="command-exit-code"]').textContent()).toBe('3');
    // The results stay at their URL, and link to the full job.
    const jobId = new URL(tab.page.url()).searchParams.get('job') ?? '';
    expect(jobId).toMatch(/^job_/);
    const job = (await cp.api.get(`/jobs/${jobId}`)).body;
    expect(job.runs.map((r: { agent: string; exitCode: number }) => [r.agent, r.exitCode])).toEqual([['cmd-1', 3]]);
    expect(await results.locator('[data-test="command-job-link"]').getAttribute('href')).toBe(`/jobs/${jobId}`);
  });

  it('runs a command on the agents a label selector matches, one row per agent', async () => {
    await tab.page.goto('/run');
    await tab.page
      .getByLabel('Command')
      .fill('echo "hello from $(pwd | wc -c)"; echo second line; echo third; echo fourth');
    await tab.page.locator('[data-test="run-on-selector"]').click();
    await tab.page.getByLabel('Labels', { exact: true }).fill('tier=cmd');
    await tab.page.locator('[data-test="selector-matches"]', { hasText: '2 agents match (2 online)' }).waitFor();
    await tab.page.getByLabel('Command').press('Enter');

    const table = tab.page.locator('[data-test="command-results-table"]');
    await table.waitFor({ timeout: 15_000 });
    await eventually(
      async () => (await table.locator('[data-test="exit-code"]').allTextContents()).every((c) => c === '0'),
      15_000,
      'both agents done',
    );
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    for (const agent of ['cmd-1', 'cmd-2']) {
      const row = table.locator('tbody tr', { hasText: agent });
      const first = (await row.locator('[data-test="first-lines"]').textContent()) ?? '';
      // The first three lines of output, not the fourth.
      expect(first.split('\n')).toEqual([expect.stringMatching(/^hello from \d+$/), 'second line', 'third']);
    }
    await tab.screenshot('run-command');
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
