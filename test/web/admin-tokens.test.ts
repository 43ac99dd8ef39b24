/**
 * The Tokens page in a real browser against a real control plane: an API token's secret is shown
 * once (copyable) and works, then is gone from the page; revoking it asks first and the server
 * refuses it afterwards. An enrolment token is shown once with the command that uses it, listed
 * with its uses left, and revoked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { rest } from '../e2e/helpers/rest.js';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';
import { settled } from './helpers/accounts.js';

describe.skipIf(!chromiumAvailable())('tokens page (real Chromium)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;
  let apiSecret = '';

  beforeAll(async () => {
    cp = await fixture.start();
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
    await tab.page.locator('[data-test="nav-tokens"]').click();
    await tab.page.waitForURL(/\/tokens$/);
    await settled(tab.page);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  const pageText = () => tab.page.evaluate<string>('document.documentElement.outerHTML');

  it('creates an API token and shows its secret once, with a copy button', async () => {
    await tab.page.getByText('No API tokens yet.').waitFor();
    await tab.page.getByRole('button', { name: 'New API token' }).click();
    const dialog = tab.page.getByRole('dialog', { name: 'New API token' });
    await dialog.getByLabel('Name').fill('ci-deploy');
    await dialog.getByRole('radio', { name: 'Read-only' }).check({ force: true });
    await dialog.getByRole('button', { name: 'Create token' }).click();

    const shown = tab.page.getByRole('dialog', { name: 'API token ci-deploy' });
    await shown.getByText('it is shown only this once').waitFor();
    apiSecret = await shown.getByLabel('Secret').inputValue();
    expect(apiSecret).toMatch(/^flt_/);
    await shown.getByRole('button', { name: `Copy ${apiSecret}` }).click();
    expect(await tab.page.evaluate<string>('navigator.clipboard.readText()')).toBe(apiSecret);
    await tab.screenshot('admin-tokens-shown-once');

    // The secret works, with the scope chosen: it reads but may not write.
    const asToken = rest(cp.url, apiSecret);
    expect((await asToken.get('/auth/me')).body.username).toBe('admin');
    expect((await asToken.post('/secrets', { name: 'NOPE', value: 'x' })).status).toBe(403);

    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });
    const row = tab.page.locator('[data-test="api-tokens-table"]').locator('tr', { hasText: 'ci-deploy' });
    await row.locator('[data-state="active"]').waitFor();
    expect(await row.innerText()).toContain('read-only');
    // Closed is gone: neither the page nor the list holds the secret any more.
    expect(await pageText()).not.toContain(apiSecret);
    expect(JSON.stringify((await cp.api.get('/api-tokens')).body)).not.toContain(apiSecret);
  });

  it('revokes an API token after a confirmation; the server refuses it from then on', async () => {
    await tab.page.getByRole('button', { name: 'Revoke API token ci-deploy' }).click();
    const confirm = tab.page.getByRole('dialog', { name: 'Revoke API token' });
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    const row = tab.page.locator('[data-test="api-tokens-table"]').locator('tr', { hasText: 'ci-deploy' });
    await row.locator('[data-state="revoked"]').waitFor();
    expect(await row.getByRole('button', { name: /Revoke/ }).count()).toBe(0);
    expect((await rest(cp.url, apiSecret).get('/auth/me')).status).toBe(401);
  });

  it('creates an enrolment token shown once with the command that enrols an agent', async () => {
    await tab.page.getByRole('button', { name: 'New enrolment token' }).click();
    const dialog = tab.page.getByRole('dialog', { name: 'New enrolment token' });
    await dialog.getByLabel('Agents that may enrol with it').fill('3');
    await dialog.getByRole('radio', { name: 'Wait for approval' }).check({ force: true });
    await dialog.getByLabel('Labels').fill('env=staging, role=web');
    await dialog.getByRole('button', { name: 'Create token' }).click();

    const shown = tab.page.getByRole('dialog', { name: 'Enrolment token' });
    const secret = await shown.getByLabel('Secret').inputValue();
    const command = await shown.getByLabel('Command').inputValue();
    expect(command).toBe(
      `FLOTILLA_ENROLL_TOKEN=${secret} flotilla agent --server ${cp.url} --data /var/lib/flotilla-agent`,
    );
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });

    const [listed] = (await cp.api.get('/enrollment-tokens')).body.items;
    expect(listed).toMatchObject({
      uses: 3,
      usesLeft: 3,
      policy: 'require-approval',
      labels: { env: 'staging', role: 'web' },
    });
    const row = tab.page.locator('[data-test="enrollment-tokens-table"]').locator('tr', { hasText: listed.id });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/3 \/ 3[\s\S]*require-approval[\s\S]*env=staging/);
    expect(await pageText()).not.toContain(secret);
    await tab.screenshot('admin-tokens');

    await row.getByRole('button', { name: `Revoke enrolment token ${listed.id}` }).click();
    await tab.page
      .getByRole('dialog', { name: 'Revoke enrolment token' })
      .getByRole('button', { name: 'Revoke' })
      .click();
    await row.locator('[data-state="revoked"]').waitFor();
    expect((await cp.api.get('/enrollment-tokens')).body.items[0].revoked).toBe(true);
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
