/**
 * The fleet table in a real browser: filters (label selector, statuses, free text) are evaluated
 * by the server and kept in the URL, so a reload and back/forward show the same rows; the column
 * choice is remembered; the table follows the fleet live; bulk label edit changes the selected
 * agents in one request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { eventually } from '../e2e/helpers/rest.js';
import { agentStatus } from '../e2e/helpers/jobs.js';
import { row, tableNames, waitForNames } from './fleet-helpers.js';

describe.skipIf(!chromiumAvailable())(
  'fleet: filters in the URL, columns, live rows, bulk labels (real Chromium)',
  () => {
    const ui = uiFixture();
    let cp: ControlPlane;
    let browser: TestBrowser;
    let tab: WatchedPage;
    const ids = new Map<string, string>();

    beforeAll(async () => {
      cp = await ui.start();
      for (const [name, labels] of [
        ['web-1', { role: 'web', env: 'prod' }],
        ['web-2', { role: 'web', env: 'staging' }],
        ['web-3', { role: 'web', env: 'prod' }],
        ['db-1', { role: 'db', env: 'prod' }],
      ] as const) {
        ids.set(name, (await ui.agent(cp, name, labels)).agentId);
      }
      // web-3 is disabled: a status filter tells it apart from its online peers.
      expect((await cp.api.post(`/agents/${ids.get('web-3')}/disable`)).status).toBe(200);
      await agentStatus(cp.api, ids.get('web-3') ?? '', 'disabled');
      browser = await TestBrowser.launch();
      tab = await browser.open(cp.url);
      await signIn(tab);
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await ui.cleanup();
    });

    it('lists every agent with status, labels, version, OS and last seen', async () => {
      const { page } = tab;
      await waitForNames(page, ['web-1', 'web-2', 'web-3', 'db-1']);
      const web1 = await row(page, 'web-1').innerText();
      expect(web1).toContain('online');
      expect(web1).toContain('role=web');
      expect(web1).toMatch(/ago|now/);
      expect(await row(page, 'web-3').locator('[data-status="disabled"]').count()).toBe(1);
      await tab.screenshot('fleet-page');
    });

    it('narrows by selector, status and text on the server, with each filter in the URL', async () => {
      const { page } = tab;
      await page.getByLabel('Label selector').fill('role=web');
      await page.getByLabel('Label selector').press('Enter');
      await page.waitForURL((u) => u.searchParams.get('selector') === 'role=web');
      await waitForNames(page, ['web-1', 'web-2', 'web-3']);

      await page.locator('[data-test="filter-status"]').click();
      await page.getByRole('option', { name: 'online', exact: true }).click();
      await page.keyboard.press('Escape');
      await page.waitForURL((u) => u.searchParams.get('status') === 'online');
      await waitForNames(page, ['web-1', 'web-2']);

      await page.getByLabel('Search agents').fill('-2');
      await page.getByLabel('Search agents').press('Enter');
      await page.waitForURL((u) => u.searchParams.get('q') === '-2');
      await waitForNames(page, ['web-2']);
      const url = new URL(page.url());
      expect(Object.fromEntries(url.searchParams)).toEqual({ selector: 'role=web', status: 'online', q: '-2' });
    });

    it('keeps the view across a reload, and back/forward walks the views', async () => {
      const { page } = tab;
      await page.reload();
      await waitForNames(page, ['web-2']);
      expect(await page.getByLabel('Label selector').inputValue()).toBe('role=web');
      expect(await page.getByLabel('Search agents').inputValue()).toBe('-2');

      await page.goBack();
      await page.waitForURL((u) => !u.searchParams.has('q'));
      await waitForNames(page, ['web-1', 'web-2']);
      expect(await page.getByLabel('Search agents').inputValue()).toBe('');
      await page.goForward();
      await waitForNames(page, ['web-2']);

      // A selector the server cannot parse is its error, shown, not a silent empty table.
      await page.getByLabel('Label selector').fill('role=web,zone');
      await page.getByLabel('Label selector').press('Enter');
      await page.locator('[data-test="error-state"]', { hasText: 'SELECTOR_INVALID' }).waitFor();
      // Chromium logs the failed request as a console error: this 400 is the one asked for.
      const asked = tab.problems.findIndex((p) => p.includes('400 (Bad Request)') && p.includes('zone'));
      expect(asked).toBeGreaterThanOrEqual(0);
      tab.problems.splice(asked, 1);
      await page.locator('[data-test="filter-clear"]').click();
      await page.waitForURL((u) => u.search === '');
      await waitForNames(page, ['web-1', 'web-2', 'web-3', 'db-1']);
    });

    it('remembers the chosen columns in this browser', async () => {
      const { page } = tab;
      const header = page.locator('[data-test="agents-table"] .el-table__header');
      expect(await header.innerText()).not.toContain('Hostname');
      await page.locator('[data-test="column-chooser"]').click();
      const columns = page.getByRole('group', { name: 'Columns shown' });
      await columns.locator('.el-checkbox', { hasText: 'Hostname' }).click();
      await columns.locator('.el-checkbox', { hasText: 'Labels' }).click();
      await page.keyboard.press('Escape');
      await eventually(async () => (await header.innerText()).includes('Hostname'));
      await page.reload();
      await waitForNames(page, ['web-1', 'web-2', 'web-3', 'db-1']);
      expect(await header.innerText()).toContain('Hostname');
      expect(await header.innerText()).not.toContain('Labels');
      // Back to the defaults for the next tests.
      await page.evaluate("localStorage.removeItem('flotilla.fleet.columns')");
      await page.reload();
      await waitForNames(page, ['web-1', 'web-2', 'web-3', 'db-1']);
    });

    it('follows the fleet live: an agent that stops turns offline, a new one appears, without reload', async () => {
      const { page } = tab;
      const marker = await page.evaluate<number>('window.performance.timeOrigin');
      const cache = await ui.agent(cp, 'cache-1', { role: 'cache' });
      await waitForNames(page, ['web-1', 'web-2', 'web-3', 'db-1', 'cache-1']);
      await row(page, 'cache-1').locator('[data-status="online"]').waitFor();
      await cache.stop();
      await row(page, 'cache-1').locator('[data-status="offline"]').waitFor();
      expect(await page.evaluate<number>('window.performance.timeOrigin')).toBe(marker);
    });

    it('edits the labels of the selected agents in one request', async () => {
      const { page } = tab;
      for (const name of ['web-1', 'db-1']) await row(page, name).locator('.el-checkbox').click();
      await page.locator('[data-test="bulk-labels"]', { hasText: '(2)' }).click();
      const dialog = page.locator('[data-test="bulk-label-dialog"]');
      await dialog.getByRole('button', { name: 'Add label' }).click();
      await dialog.getByLabel('Label 1 key').fill('tier');
      await dialog.getByLabel('Label 1 value').fill('gold');
      await dialog.locator('[data-test="remove-keys"]').click();
      await page.getByRole('option', { name: 'env', exact: true }).click();
      // A multiple select stays open after a choice: a click elsewhere closes it.
      await dialog.getByRole('heading', { name: 'Remove' }).click();
      await tab.screenshot('fleet-bulk-labels');
      await dialog.locator('[data-test="bulk-label-save"]').click();
      await dialog.waitFor({ state: 'hidden' });

      for (const name of ['web-1', 'db-1']) {
        const agent = (await cp.api.get(`/agents/${ids.get(name)}`)).body as { labels: Record<string, string> };
        expect(agent.labels).toEqual({ role: name === 'db-1' ? 'db' : 'web', tier: 'gold' });
      }
      const untouched = (await cp.api.get(`/agents/${ids.get('web-2')}`)).body as { labels: Record<string, string> };
      expect(untouched.labels).toEqual({ role: 'web', env: 'staging' });
      await eventually(async () => (await row(page, 'db-1').innerText()).includes('tier=gold'));
      expect(await tableNames(page)).toContain('web-2');
    });

    it('logs no console error or warning', () => {
      expect(tab.problems).toEqual([]);
    });
  },
);
