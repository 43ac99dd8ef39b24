/**
 * The Audit page in a real browser against a real control plane: records newest first in pages
 * of 50 (cursor pagination, forward and back), filters kept in the URL, "verify chain" showing
 * an intact chain, and the JSON-lines export as a download of the whole trail.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';
import { settled } from './helpers/accounts.js';

describe.skipIf(!chromiumAvailable())('audit page (real Chromium)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;

  beforeAll(async () => {
    cp = await fixture.start();
    // 60 records more than the admin's logins: two pages and a bit.
    for (let i = 0; i < 60; i++) {
      const res = await cp.api.post('/secrets', { name: `AUDITED_${String(i).padStart(2, '0')}`, value: 'v' });
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    }
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
    await tab.page.locator('[data-test="nav-audit"]').click();
    await tab.page.waitForURL(/\/audit/);
    await settled(tab.page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  const rows = () => tab.page.locator('[data-test="audit-table"] tbody tr.el-table__row');

  it('lists records newest first in pages, forward and back', async () => {
    await expect.poll(() => rows().count()).toBe(50);
    // The newest is this browser's login; the 60 secrets come before it.
    expect(await rows().first().innerText()).toContain('auth.login');
    await tab.page.getByRole('button', { name: 'Next' }).click();
    await tab.page.getByText('page 2').waitFor();
    await expect.poll(async () => (await rows().first().innerText()).includes('AUDITED_')).toBe(true);
    const total = (await cp.api.get('/audit?limit=1000')).body.items.length as number;
    await expect.poll(() => rows().count()).toBe(total - 50);
    await tab.page.getByRole('button', { name: 'Previous' }).click();
    await tab.page.getByText('page 1').waitFor();
    await expect.poll(() => rows().count()).toBe(50);
  });

  it('filters by action and actor, kept in the URL', async () => {
    await tab.page.getByLabel('Action').fill('secret.set');
    await tab.page.getByLabel('Actor').fill('admin');
    await tab.page.getByLabel('Actor').press('Enter');
    await tab.page.waitForURL(/action=secret\.set/);
    expect(tab.page.url()).toContain('actor=admin');
    await expect.poll(async () => (await rows().allInnerTexts()).every((t) => t.includes('secret.set'))).toBe(true);
    await rows().first().getByText('secret:AUDITED_59').waitFor();

    // The row opens to what changed and its hash.
    await rows().first().locator('.el-table__expand-icon').click();
    await tab.page.getByText('"name": "AUDITED_59"').waitFor();

    await tab.page.reload();
    expect(await tab.page.getByLabel('Action').inputValue()).toBe('secret.set');
    await tab.page.getByLabel('Action').fill('nothing.like.this');
    await tab.page.getByLabel('Action').press('Enter');
    await tab.page.getByText('No record matches these filters.').waitFor();
    await tab.page.getByRole('button', { name: 'Clear' }).click();
    await tab.page.waitForURL(/\/audit$/);
    await expect.poll(() => rows().count()).toBe(50);
    await tab.screenshot('admin-audit');
  });

  it('verifies the chain and shows it intact', async () => {
    await tab.page.getByRole('button', { name: 'Verify chain' }).click();
    const result = tab.page.locator('[data-test="audit-verify-result"]');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('true');
    const verified = (await cp.api.get('/audit/verify')).body as { ok: boolean; checked: number };
    expect(verified.ok).toBe(true);
    expect(await result.innerText()).toContain(`Chain intact: ${verified.checked} records checked`);
    await tab.screenshot('admin-audit-verified');
  });

  it('exports the whole trail as JSON lines, oldest first', async () => {
    const [download] = await Promise.all([
      tab.page.waitForEvent('download'),
      tab.page.getByRole('link', { name: 'Export JSON lines' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('audit.jsonl');
    const lines = (await readFile(await download.path(), 'utf8')).trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as { seq: number; action: string });
    expect(records.map((r) => r.seq)).toEqual(records.map((_, i) => i + 1));
    expect(records.filter((r) => r.action === 'secret.set')).toHaveLength(60);
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
