/**
 * The approval queue in a real browser against a real control plane and real agents: an agent
 * enrolled with a `require-approval` token appears in the queue with its key fingerprint without
 * a reload, is approved there and turns online in the table; a key change (the same name enrolled
 * again with a new key) shows the trusted key and the new one side by side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHandle } from '@flotilla/agent';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';
import { testAgents } from '../e2e/helpers/agents.js';
import { agentStatus } from '../e2e/helpers/jobs.js';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { row } from './fleet-helpers.js';

describe.skipIf(!chromiumAvailable())('fleet: the pending-approval queue (real Chromium)', () => {
  const ui = uiFixture();
  const agents = testAgents();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;

  beforeAll(async () => {
    cp = await ui.start();
    await ui.agent(cp, 'web-1', { role: 'web' });
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agents.cleanup();
    await ui.cleanup();
  });

  let pending: AgentHandle;

  it('shows an agent enrolled with a require-approval token in the queue, with its fingerprint, without reload', async () => {
    const { page } = tab;
    await row(page, 'web-1').locator('[data-status="online"]').waitFor();
    expect(await page.locator('[data-test="pending-queue"]').count()).toBe(0);

    const token = await cp.enrollmentToken({ policy: 'require-approval', labels: { role: 'db' } });
    pending = await agents.start({ serverUrl: cp.url, token, dataDir: await agents.dataDir(), name: 'db-1' });
    const item = page.locator('[data-test="pending-db-1"]');
    await item.waitFor();
    const fingerprint = (await cp.api.get(`/agents/${pending.agentId}`)).body.keyFingerprint as string;
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(await item.innerText()).toContain(fingerprint);
    expect(await item.innerText()).toContain('role=db');
    // The table lists it as pending too (the server's answer to the same page).
    await row(page, 'db-1').locator('[data-status="pending"]').waitFor();
    await tab.screenshot('fleet-pending-queue');
  });

  it('approves it from the queue: it leaves the queue and turns online', async () => {
    const { page } = tab;
    await page.locator('[data-test="pending-db-1"] [data-test="approve"]').click();
    await page.locator('[data-test="pending-queue"]').waitFor({ state: 'detached' });
    await row(page, 'db-1').locator('[data-status="online"]').waitFor();
    await agentStatus(cp.api, pending.agentId, 'online');
  });

  it('shows a key change beside the trusted key; approving it makes the new key the trusted one', async () => {
    const { page } = tab;
    const trusted = (await cp.api.get(`/agents/${pending.agentId}`)).body as { keyFingerprint: string };
    // The same name from a machine with a new key (a reinstalled server): a key-change record.
    const token = await cp.enrollmentToken();
    const newcomer = await agents.start({ serverUrl: cp.url, token, dataDir: await agents.dataDir(), name: 'db-1' });
    expect(newcomer.agentId).not.toBe(pending.agentId);
    const item = page.locator('[data-test="pending-db-1"]');
    const comparison = item.locator('[data-test="key-change"]');
    await comparison.waitFor();
    const fresh = (await cp.api.get(`/agents/${newcomer.agentId}`)).body as { keyFingerprint: string };
    const text = await comparison.innerText();
    expect(text).toMatch(/Trusted key[\s\S]*New key/);
    expect(text.indexOf(trusted.keyFingerprint)).toBeLessThan(text.indexOf(fresh.keyFingerprint));
    expect(trusted.keyFingerprint).not.toBe(fresh.keyFingerprint);
    await tab.screenshot('fleet-key-change');

    await item.locator('[data-test="approve"]').click();
    await page.locator('[data-test="pending-queue"]').waitFor({ state: 'detached' });
    await agentStatus(cp.api, pending.agentId, 'revoked');
    await agentStatus(cp.api, newcomer.agentId, 'online');
    await row(page, 'db-1')
      .filter({ has: page.locator('[data-status="online"]') })
      .waitFor();
    await row(page, 'db-1')
      .filter({ has: page.locator('[data-status="revoked"]') })
      .waitFor();
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
