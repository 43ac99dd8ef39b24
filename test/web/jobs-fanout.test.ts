/**
 * Jobs across agents in a real Chromium, against a real control plane and three real agents: the
 * fan-out matrix and "re-run on failed agents only", cancelling a running job, and the jobs list
 * with its filters in the URL and new jobs appearing live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@flotilla/protocol';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { finishedJob, submitJob } from '../e2e/helpers/jobs.js';
import { eventually } from '../e2e/helpers/rest.js';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';

/** Two steps; `check` fails on fan-2 only (after saying why on stderr), so `report` never runs there. */
const FAN_CHECK = `name: fan-check
tasks:
  - name: check
    type: command
    config: { command: "echo checking \${{ agent.name }}; test \${{ agent.name }} != fan-2 || { echo 'fan-2 is broken' >&2; exit 4; }", shell: true }
  - name: report
    type: command
    config: { command: "echo all good", shell: true }
`;

const SLEEPER = `name: sleeper
tasks:
  - name: nap
    type: command
    config: { command: "echo napping; sleep 60", shell: true }
`;

/** The states of the matrix row of `agent`, by step id. */
async function matrixRow(tab: WatchedPage, agent: string): Promise<Record<string, string>> {
  const cells = tab.page.locator(`[data-test="fanout-matrix"] tr[data-agent="${agent}"] button[data-step]`);
  const states: Record<string, string> = {};
  for (const cell of await cells.all()) {
    states[(await cell.getAttribute('data-step')) ?? ''] = (await cell.getAttribute('data-state')) ?? '';
  }
  return states;
}

/** The id of the run of `agent` in a `GET /jobs/:id` answer. */
function runIdOf(res: { body: { runs: { id: string; agent: string }[] } }, agent: string): string {
  return res.body.runs.find((r) => r.agent === agent)?.id ?? '';
}

describe.skipIf(!chromiumAvailable())('jobs across agents (real Chromium, real agents)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;

  beforeAll(async () => {
    cp = await fixture.start();
    for (const name of ['fan-1', 'fan-2', 'fan-3']) await fixture.agent(cp, name, { role: 'fan' });
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  it('shows a fan-out to 3 agents as a matrix; "re-run on failed agents only" targets exactly the one that failed', async () => {
    // Two batches (fan-1 and fan-2, then fan-3); one failure is tolerated.
    const target = { selector: { role: 'fan' }, rollout: { batch_size: 2, max_failures: 1 } };
    const res = await cp.api.post('/jobs', { workflow: FAN_CHECK, target });
    expect(res.status).toBe(201);
    const jobId = res.body.id as string;
    await tab.page.goto(`/jobs/${jobId}`);
    await tab.page.locator('[data-test="job-state"][data-state="failed"]').waitFor({ timeout: 20_000 });
    await eventually(async () => (await matrixRow(tab, 'fan-3')).report === 'succeeded', 10_000, 'fan-3 done');
    expect(await matrixRow(tab, 'fan-1')).toEqual({ check: 'succeeded', report: 'succeeded' });
    expect((await matrixRow(tab, 'fan-2')).check).toBe('failed');
    expect((await matrixRow(tab, 'fan-2')).report).not.toBe('succeeded');
    await tab.page.locator('[data-test="rollout-progress"]', { hasText: 'Batch 2 of 2' }).waitFor();
    expect(await tab.page.locator('[data-test="rollout-failures"]').textContent()).toContain('1 failed of 1 tolerated');

    // A cell opens that agent's step log.
    await tab.page.locator('[data-test="fanout-matrix"] tr[data-agent="fan-2"] button[data-step="check"]').click();
    await tab.page.locator('[data-test="log-selection"]', { hasText: 'fan-2 · check' }).waitFor();
    await tab.page.locator('[data-test="log-lines"] .text', { hasText: /^fan-2 is broken$/ }).waitFor();
    expect(await tab.page.locator('[data-test="log-lines"] .text', { hasText: /^checking fan-1$/ }).count()).toBe(0);
    expect(new URL(tab.page.url()).searchParams.get('step')).toBe('check');
    // The whole page from its top: header, rollout, matrix and graph, the start of the log.
    await tab.page.evaluate('document.querySelector(".shell-content").scrollTop = 0');
    await tab.screenshot('job-detail-fanout');
    // The same page in the dark theme (the system's preference until one is chosen).
    const dark = await browser.open(cp.url, { colorScheme: 'dark' });
    try {
      await signIn(dark);
      await dark.page.goto(`/jobs/${jobId}?run=${runIdOf(await cp.api.get(`/jobs/${jobId}`), 'fan-2')}`);
      await dark.page.locator('[data-test="log-lines"] .text', { hasText: /^fan-2 is broken$/ }).waitFor();
      expect(await dark.page.evaluate('document.documentElement.classList.contains("dark")')).toBe(true);
      await dark.screenshot('job-detail-fanout-dark');
      expect(dark.problems).toEqual([]);
    } finally {
      await dark.context.close();
    }

    await tab.page.locator('[data-test="job-rerun-failed-agents"]').click();
    await tab.page.waitForURL((url) => url.pathname.startsWith('/jobs/') && !url.pathname.endsWith(jobId));
    const rerunId = new URL(tab.page.url()).pathname.split('/').at(-1) ?? '';
    const rerun = (await cp.api.get(`/jobs/${rerunId}`)).body;
    expect(rerun.rerunOf).toBe(jobId);
    expect(rerun.runs.map((r: { agent: string }) => r.agent)).toEqual(['fan-2']);
    expect(rerun.target.agents).toHaveLength(1);
    expect(rerun.target.rollout).toEqual({ ...target.rollout, stop_on_failure: false });
    await tab.page.locator('[data-test="job-summary"]', { hasText: rerunId }).waitFor();
    await finishedJob(cp.api, rerunId, 20_000);
  });

  it('cancels a running job from its page, after a confirmation', async () => {
    const jobId = await submitJob(cp.api, SLEEPER, 'fan-1');
    await tab.page.goto(`/jobs/${jobId}`);
    await tab.page.locator('[data-test="log-lines"] .text', { hasText: /^napping$/ }).waitFor({ timeout: 15_000 });
    await tab.page.locator('[data-test="job-cancel"]').click();
    const dialog = tab.page.getByRole('dialog', { name: 'Cancel job' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel job' }).click();
    await tab.page.locator('[data-test="job-state"][data-state="cancelled"]').waitFor({ timeout: 15_000 });
    expect((await cp.api.get(`/jobs/${jobId}`)).body.state).toBe('cancelled');
    // Over now: no cancel, a re-run instead.
    expect(await tab.page.locator('[data-test="job-cancel"]').count()).toBe(0);
    await tab.page.locator('[data-test="job-rerun"]').waitFor();
  });

  it('lists jobs with filters kept in the URL, and shows a new job without a reload', async () => {
    await tab.page.goto('/jobs?state=failed');
    const table = tab.page.locator('[data-test="jobs-table"]');
    await table.locator('[data-test="job-link"]', { hasText: 'fan-check' }).first().waitFor();
    const states = await table.locator('.job-state').allTextContents();
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['failed']));

    // Another filter through the form: it lands in the URL, a bookmarkable view.
    await tab.page.goto('/jobs');
    await tab.page.locator('input[data-test="filter-agent"]').fill('fan-1');
    await tab.page.locator('input[data-test="filter-agent"]').press('Enter');
    await tab.page.waitForURL(/agent=fan-1/);
    await tab.page.evaluate('window.__notReloaded = true');

    const jobId = await submitJob(cp.api, SLEEPER, 'fan-1');
    await table.locator(`tr:has-text("${jobId}")`).waitFor({ timeout: 10_000 });
    expect(await tab.page.evaluate('window.__notReloaded')).toBe(true);
    await cp.api.post(`/jobs/${jobId}/cancel`);
    await table.locator(`tr:has-text("${jobId}") .job-state`, { hasText: 'cancelled' }).waitFor({ timeout: 10_000 });
    await tab.page.locator('[data-test="filter-clear"]').click();
    await tab.page.waitForURL((url) => url.search === '');
    await table.locator('[data-test="job-link"]', { hasText: 'fan-check' }).first().waitFor();
    await tab.screenshot('jobs-list');
    const listed = (await cp.api.get('/jobs?agent=fan-1')).body.items as Job[];
    expect(listed.some((j) => j.id === jobId)).toBe(true);
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
