/**
 * A member with a read-only grant sees the fleet, the approval queue and an agent's page, but no
 * control that changes anything: no "Add agents", no row selection or label edit, no approve or
 * reject, no trust changes, no command box. (The server refuses them anyway: tested elsewhere.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';
import { testAgents } from '../e2e/helpers/agents.js';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { row, waitForNames } from './fleet-helpers.js';

const PASSWORD = 'viewer password 1';

describe.skipIf(!chromiumAvailable())('fleet and agent pages for a read-only member (real Chromium)', () => {
  const ui = uiFixture();
  const agents = testAgents();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;
  let agentId: string;

  beforeAll(async () => {
    cp = await ui.start();
    agentId = (await ui.agent(cp, 'web-1', { role: 'web' })).agentId;
    const token = await cp.enrollmentToken({ policy: 'require-approval' });
    await agents.start({ serverUrl: cp.url, token, dataDir: await agents.dataDir(), name: 'web-2' });
    const user = await cp.api.post('/users', { username: 'viewer', password: PASSWORD, role: 'member' });
    expect(user.status).toBe(201);
    const team = await cp.api.post('/teams', { name: 'watchers' });
    expect(team.status).toBe(201);
    expect((await cp.api.post(`/teams/${team.body.id}/members`, { userId: user.body.id })).status).toBe(200);
    expect(
      (await cp.api.post(`/teams/${team.body.id}/grants`, { project: 'default', access: 'read-only' })).status,
    ).toBe(200);
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab, 'viewer', PASSWORD);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await agents.cleanup();
    await ui.cleanup();
  });

  it('shows the fleet and the queue without a mutating control', async () => {
    const { page } = tab;
    await waitForNames(page, ['web-1', 'web-2']);
    await page.locator('[data-test="pending-web-2"]').waitFor();
    expect(
      await page.locator('[data-test="pending-web-2"] :is([data-test="approve"], [data-test="reject"])').count(),
    ).toBe(0);
    expect(await page.locator('[data-test="add-agents"]').count()).toBe(0);
    expect(await row(page, 'web-1').locator('.el-checkbox').count()).toBe(0);
    // Filters and columns only read: they stay.
    await page.getByLabel('Label selector').waitFor();
    await page.locator('[data-test="column-chooser"]').waitFor();
    await tab.screenshot('fleet-read-only');
  });

  it("shows an agent's page without trust changes, label edit or command box", async () => {
    const { page } = tab;
    await page.goto(`/fleet/agents/${agentId}`);
    await page.locator('[data-test="agent-facts"]').waitFor();
    await page.locator('[data-test="agent-connections"]').waitFor();
    expect(await page.locator('[data-test^="action-"]').count()).toBe(0);
    expect(await page.locator('[data-test="labels-edit"]').count()).toBe(0);
    expect(await page.locator('[data-test="command-box"]').count()).toBe(0);
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
