/**
 * Cursor pages of the fleet in a real browser, on 120 agents written straight into the store
 * (the benchmark's seed): Next and Previous walk the server's pages, the page is in the URL so a
 * reload keeps it (with a way back to the first page), and the sort is the server's.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { eventually } from '../e2e/helpers/rest.js';
import { seedAgents } from '../../bench/agent-list/seed-agents.js';
import { tableNames } from './fleet-helpers.js';

const node = (i: number) => `node-${String(i).padStart(6, '0')}`;

describe.skipIf(!chromiumAvailable())('fleet: cursor pages (real Chromium)', () => {
  const ui = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;

  beforeAll(async () => {
    cp = await ui.start();
    await seedAgents(`sqlite:${join(cp.dataDir, 'flotilla.db')}`, cp.dataDir, 120);
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ui.cleanup();
  });

  /** Waits until the table's first and last names are these. */
  async function shows(first: string, last: string, count: number): Promise<void> {
    let seen: string[] = [];
    await eventually(async () => {
      seen = (await tableNames(tab.page)).map((n) => n.trim());
      return seen.length === count && seen[0] === first && seen.at(-1) === last;
    }).catch(() => {
      throw new Error(`expected ${first}…${last} (${count}), saw ${seen[0]}…${seen.at(-1)} (${seen.length})`);
    });
  }

  it('walks the pages with Next and Previous', async () => {
    const { page } = tab;
    await shows(node(0), node(49), 50);
    await page.locator('[data-test="page-next"]').click();
    await shows(node(50), node(99), 50);
    expect(new URL(page.url()).searchParams.has('cursor')).toBe(true);
    await page.locator('[data-test="page-next"]').click();
    await shows(node(100), node(119), 20);
    expect(await page.locator('[data-test="page-next"]').isDisabled()).toBe(true);
    await page.locator('[data-test="page-previous"]').click();
    await shows(node(50), node(99), 50);
  });

  it('keeps the page across a reload, with a way back to the first', async () => {
    const { page } = tab;
    await page.reload();
    await shows(node(50), node(99), 50);
    await page.getByRole('button', { name: 'First page' }).click();
    await shows(node(0), node(49), 50);
    expect(new URL(page.url()).search).toBe('');
  });

  it('sorts on the server: most recently seen first', async () => {
    const { page } = tab;
    await page.locator('[data-test="sort"]').click();
    await page.getByRole('option', { name: 'last seen', exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get('sort') === 'lastSeen');
    // The seed's node-000000 was seen last, each later one a second earlier.
    await shows(node(0), node(49), 50);
    await page.getByLabel('Search agents').fill('node-00011');
    await page.getByLabel('Search agents').press('Enter');
    await shows(node(110), node(119), 10);
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
