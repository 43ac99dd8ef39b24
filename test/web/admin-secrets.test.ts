/**
 * The Secrets page in a real browser against a real control plane: a secret created in the UI is
 * never shown again (not in the page, not in any API answer the page receives, not in storage),
 * replacing asks for a new value in an empty field, deleting asks first and names the secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';
import { settled } from './helpers/accounts.js';

const VALUE = 'ui-secret-value-9f27c1-never-shown';
const REPLACED = 'ui-secret-value-second-4b81e0';

describe.skipIf(!chromiumAvailable())('secrets page (real Chromium)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;
  /** Every `/api/v1` answer the page received, as text. */
  const answers: string[] = [];

  beforeAll(async () => {
    cp = await fixture.start();
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    tab.page.on('response', (response) => {
      if (!response.url().includes('/api/v1/')) return;
      // Streams (the event stream) never end; only whole answers are read.
      if ((response.headers()['content-type'] ?? '').includes('text/event-stream')) return;
      void response.text().then(
        (text) => answers.push(text),
        () => undefined,
      );
    });
    await signIn(tab);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  /** The page's markup, every form field's value and the browser's storage, as one text. */
  async function everythingThePageHolds(): Promise<string> {
    return tab.page.evaluate<string>(`[
      document.documentElement.outerHTML,
      ...Array.from(document.querySelectorAll('input, textarea')).map((e) => e.value),
      JSON.stringify({ ...localStorage, ...sessionStorage }),
    ].join('\\n')`);
  }

  it('shows an empty state that says what to do, and the New secret button to an admin', async () => {
    await tab.page.locator('[data-test="nav-secrets"]').click();
    await tab.page.waitForURL(/\/secrets$/);
    await settled(tab.page);
    await tab.page.getByText('No secrets in this project yet.').waitFor();
    await tab.page.getByRole('button', { name: 'New secret' }).waitFor();
  });

  it('creates a secret whose value is never shown again', async () => {
    await tab.page.getByRole('button', { name: 'New secret' }).click();
    const dialog = tab.page.getByRole('dialog', { name: 'New secret' });
    await dialog.getByLabel('Name').fill('DEPLOY_KEY');
    const value = dialog.getByLabel('Value');
    expect(await value.getAttribute('type')).toBe('password');
    await value.fill(VALUE);
    await value.press('Enter');
    await dialog.waitFor({ state: 'hidden' });

    const row = tab.page.locator('[data-test="secrets-table"]').locator('tr', { hasText: 'DEPLOY_KEY' });
    await row.waitFor();
    await expect.poll(() => row.innerText()).toContain('admin');
    await tab.screenshot('admin-secrets-list');

    expect(await everythingThePageHolds()).not.toContain(VALUE);
    // The list the page read after saving, and every other answer, carry no value.
    expect(answers.some((a) => a.includes('DEPLOY_KEY'))).toBe(true);
    expect(answers.filter((a) => a.includes(VALUE))).toEqual([]);
    const list = await cp.api.get('/secrets');
    expect(list.body.items).toEqual([
      { name: 'DEPLOY_KEY', createdAt: expect.any(String), updatedAt: expect.any(String), updatedBy: 'admin' },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(VALUE);
  });

  it('replaces the value from an empty field, and Escape closes without saving', async () => {
    await tab.page.getByRole('button', { name: 'Replace value of DEPLOY_KEY' }).click();
    const dialog = tab.page.getByRole('dialog', { name: 'Replace the value of DEPLOY_KEY' });
    expect(await dialog.getByLabel('Value').inputValue()).toBe('');
    expect(await dialog.getByLabel('Name').isDisabled()).toBe(true);
    await dialog.getByLabel('Value').fill('typed but abandoned');
    await tab.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await everythingThePageHolds()).not.toContain('typed but abandoned');

    await tab.page.getByRole('button', { name: 'Replace value of DEPLOY_KEY' }).click();
    await dialog.getByLabel('Value').fill(REPLACED);
    await dialog.getByRole('button', { name: 'Replace value' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await tab.page.getByText('Secret DEPLOY_KEY saved').waitFor();
    const holds = await everythingThePageHolds();
    expect(holds).not.toContain(REPLACED);
    expect(holds).not.toContain(VALUE);
    expect(answers.filter((a) => a.includes(REPLACED) || a.includes(VALUE))).toEqual([]);
  });

  it('deletes after a confirmation that names the secret (Enter); Escape keeps it', async () => {
    await tab.page.getByRole('button', { name: 'Delete secret DEPLOY_KEY' }).click();
    const confirm = tab.page.getByRole('dialog', { name: 'Delete secret' });
    await confirm.getByText('Delete secret DEPLOY_KEY?').waitFor();
    await tab.page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    expect((await cp.api.get('/secrets')).body.items).toHaveLength(1);

    // The keyboard way: the confirm button has the focus, Enter confirms.
    await tab.page.getByRole('button', { name: 'Delete secret DEPLOY_KEY' }).click();
    await confirm.getByRole('button', { name: 'Delete' }).waitFor();
    await expect
      .poll(() => tab.page.evaluate<string>("document.activeElement?.textContent?.trim() ?? ''"))
      .toBe('Delete');
    await tab.page.keyboard.press('Enter');
    await tab.page.getByText('No secrets in this project yet.').waitFor();
    expect((await cp.api.get('/secrets')).body.items).toEqual([]);
    const audit = (await cp.api.get('/audit?action=secret')).body.items.map((e: { action: string }) => e.action);
    expect(audit).toEqual(['secret.delete', 'secret.set', 'secret.set']);
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
