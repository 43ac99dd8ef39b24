/**
 * Log search in a real Chromium against a real control plane and agent: a job prints a unique
 * marker; searching for it shows the hit with the match marked (and the line's HTML as text);
 * the query is in the URL; choosing the hit lands on its line in its job (`/jobs/<id>?line=<seq>`),
 * scrolled to and highlighted.
 * Also the alignment of the server's `[[highlight]]` markers with the line, as a unit.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { highlightSegments } from '../../apps/web/src/components/logs/highlight-segments.js';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { finishedJob, submitJob } from '../e2e/helpers/jobs.js';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';

describe('highlightSegments', () => {
  it('marks what the server wrapped in [[ ]]', () => {
    expect(highlightSegments('deploy failed: timeout', 'deploy failed: [[timeout]]')).toEqual([
      { text: 'deploy failed: ', match: false },
      { text: 'timeout', match: true },
    ]);
    expect(highlightSegments('a b a', '[[a]] b [[a]]')).toEqual([
      { text: 'a', match: true },
      { text: ' b ', match: false },
      { text: 'a', match: true },
    ]);
  });

  it('keeps brackets that belong to the line itself', () => {
    expect(highlightSegments('x [[y]] err', 'x [[y]] [[err]]')).toEqual([
      { text: 'x [[y]] ', match: false },
      { text: 'err', match: true },
    ]);
    expect(highlightSegments('[[', '[[[[]]')).toEqual([{ text: '[[', match: true }]);
  });

  it('shows the line unmarked when the highlight does not fit it', () => {
    expect(highlightSegments('abc', 'abc')).toEqual([{ text: 'abc', match: false }]);
    expect(highlightSegments('abc', 'x[[abc]]')).toEqual([{ text: 'abc', match: false }]);
  });

  it('handles long lines without deep recursion', () => {
    const line = `${'x'.repeat(200_000)} needle`;
    expect(highlightSegments(line, `${'x'.repeat(200_000)} [[needle]]`).at(-1)).toEqual({
      text: 'needle',
      match: true,
    });
  });
});

describe.skipIf(!chromiumAvailable())('log search (real Chromium)', () => {
  const fixture = uiFixture();
  const suffix = randomBytes(5).toString('hex');
  const marker = `MARKER-${suffix}`;
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;
  let jobId = '';

  beforeAll(async () => {
    cp = await fixture.start();
    await fixture.agent(cp, 'log-runner');
    // The marker is put together by the shell, so the command line (logged too) does not hold it.
    const script = `M=MARKER; echo first line; echo "<img src=x onerror=alert(1)> found $M-${suffix} here"; echo last`;
    const workflow = `name: marker\ntasks:\n  - name: print\n    type: command\n    config: { command: sh, args: [-c, '${script}'] }\n`;
    jobId = await submitJob(cp.api, workflow, 'log-runner');
    expect((await finishedJob(cp.api, jobId, 20_000)).state).toBe('succeeded');
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  it('finds the marker, marks the match, and keeps the query in the URL', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'Log search', exact: true }).click();
    await page.waitForURL(/\/logs$/);
    await page.getByLabel('Search logs').fill(marker);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.searchParams.get('q') === marker);
    const hit = page.locator('[data-test="log-hit"]');
    await hit.first().waitFor();
    expect(await hit.count()).toBe(1);
    expect(await hit.locator('mark').textContent()).toBe(marker);
    // the line's HTML is shown as text, never parsed
    expect(await hit.textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await page.locator('[data-test="log-hits"] img').count()).toBe(0);
    await tab.screenshot('log-search');

    // the URL alone brings the same search back
    await page.reload();
    await hit.locator('mark', { hasText: marker }).waitFor();
    expect(await page.getByLabel('Search logs').inputValue()).toBe(marker);
  });

  it('says what to do when nothing matches', async () => {
    const { page } = tab;
    await page.goto(`/logs?q=${encodeURIComponent('nothing-prints-this-zz9')}`);
    await page.getByText('No log line matches nothing-prints-this-zz9.').waitFor();
  });

  it('shows why the server refused a query', async () => {
    // Its own page: the refused request (400) is a console error of Chromium's, expected here only.
    const other = await browser.open(cp.url);
    await signIn(other);
    await other.page.goto(`/logs?q=${encodeURIComponent('"unbalanced')}`);
    await other.page.locator('[data-test="error-state"]', { hasText: 'SEARCH_QUERY_INVALID' }).waitFor();
    expect(other.problems).toHaveLength(1);
    expect(other.problems[0]).toMatch(/status of 400/);
    await other.context.close();
  });

  it('lands on the line in its job', async () => {
    const { page } = tab;
    const search = await cp.api.get(`/logs/search?q=${encodeURIComponent(marker)}`);
    const seq = search.body.items[0].seq as number;
    await page.goto(`/logs?q=${encodeURIComponent(marker)}`);
    await page.locator('[data-test="log-hit"]').first().click();
    await page.waitForURL((url) => url.pathname === `/jobs/${jobId}` && url.searchParams.get('line') === String(seq));
    // the job page scrolls to that line and highlights it
    const line = page.locator(`[data-test="log-lines"] [data-seq="${seq}"]`);
    await line.and(page.locator('.highlighted')).waitFor();
    expect(await line.textContent()).toContain(marker);
    expect(await line.isVisible()).toBe(true);
    await tab.screenshot('log-search-landed');
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
