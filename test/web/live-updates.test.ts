/**
 * Live updates (issue 14 §3) in a real browser: an agent going offline shows without reload; when
 * the control plane goes away the "connection lost — retrying" banner shows, and when it returns
 * the stream reconnects, the banner goes and the page catches up with what changed meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHandle } from '@flotilla/agent';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';

describe.skipIf(!chromiumAvailable())('live updates and a dropped event stream (real Chromium)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;
  let steady: AgentHandle;
  let leaving: AgentHandle;

  beforeAll(async () => {
    cp = await fixture.start();
    steady = await fixture.agent(cp, 'steady-1');
    leaving = await fixture.agent(cp, 'leaving-1');
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  const row = (name: string) => tab.page.locator('[data-test="agents-table"] tr', { hasText: name });

  it('shows an agent going offline without a reload', async () => {
    await row('leaving-1').locator('[data-status="online"]').waitFor();
    const loads = await tab.page.evaluate<number>('performance.getEntriesByType("navigation").length');
    await leaving.stop();
    await row('leaving-1').locator('[data-status="offline"]').waitFor();
    expect(await tab.page.evaluate<number>('performance.getEntriesByType("navigation").length')).toBe(loads);
  });

  it('says the connection is lost while the control plane is gone, and catches up when it returns', async () => {
    const { port, dataDir } = cp;
    await cp.close();
    await tab.page.locator('[data-test="connection-lost"]').waitFor();
    await tab.screenshot('live-updates-connection-lost');
    // Meanwhile the last agent goes away too: only a page that catches up can know.
    await steady.stop();
    expect(await row('steady-1').locator('[data-status="online"]').count()).toBe(1);
    // Back on the same port and data. The stream cannot resume (a new process), so the page is
    // told to re-read its view, and shows what changed during the outage.
    cp = await fixture.restart({ port, dataDir });
    await tab.page.locator('[data-test="connection-lost"]').waitFor({ state: 'detached', timeout: 20_000 });
    await row('steady-1').locator('[data-status="offline"]').waitFor({ timeout: 20_000 });
  });

  it('logs no console error but the refused connections of the outage', () => {
    const unexpected = tab.problems.filter((p) => !p.includes('ERR_CONNECTION_REFUSED'));
    expect(unexpected).toEqual([]);
  });
});
