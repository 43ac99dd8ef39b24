/**
 * The UI by keyboard only (issue 14 §5): sign in with Tab and Enter, reach a page through the side
 * menu, open a dialog with Enter and leave it with Escape, with a visible focus ring throughout,
 * in light and dark, and no console problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { chromiumAvailable, TestBrowser } from './helpers/browser.js';
import { ADMIN_PASSWORD, uiFixture } from './helpers/ui-server.js';

describe.skipIf(!chromiumAvailable())('keyboard only (real Chromium)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;

  beforeAll(async () => {
    cp = await fixture.start();
    await fixture.agent(cp, 'keys-1');
    browser = await TestBrowser.launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`signs in, moves through the menu and a dialog without a mouse (${scheme})`, async () => {
      const tab = await browser.open(cp.url, { colorScheme: scheme });
      const { page } = tab;
      await page.goto('/');
      await page.getByLabel('Username').waitFor();
      // The username field has focus on arrival; Tab goes to the password; Enter submits.
      await page.keyboard.type('admin');
      await page.keyboard.press('Tab');
      await page.keyboard.type(ADMIN_PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/fleet');
      await page.locator('[data-test="agents-table"] tr', { hasText: 'keys-1' }).waitFor();

      // Tab until the menu's "Jobs" entry has focus, then Enter opens it.
      let onJobs = false;
      for (let i = 0; i < 20 && !onJobs; i++) {
        await page.keyboard.press('Tab');
        onJobs = await page.evaluate<boolean>(`document.activeElement?.textContent?.trim() === 'Jobs'`);
      }
      expect(onJobs).toBe(true);
      const ring = await page.evaluate<string>(`getComputedStyle(document.activeElement).outlineStyle`);
      expect(ring).not.toBe('none');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/jobs');

      // Back to the fleet by keyboard, then "Add agents" with Enter and Escape to leave.
      await page.goto('/fleet');
      const add = page.getByRole('button', { name: 'Add agents' });
      await add.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await tab.screenshot(`keyboard-add-agents-${scheme}`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(tab.problems).toEqual([]);
      await tab.context.close();
    });
  }
});
