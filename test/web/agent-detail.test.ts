/**
 * The agent detail page in a real browser against a real control plane and a real agent: facts
 * and fingerprint, label edit, a command whose output streams in while it runs (with its exit
 * code and duration), recent runs and connection history, and revoke/delete behind confirmations
 * that name the agent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentHandle } from '@flotilla/agent';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { eventually } from '../e2e/helpers/rest.js';
import { agentStatus } from '../e2e/helpers/jobs.js';

describe.skipIf(!chromiumAvailable())('agent detail (real Chromium)', () => {
  const ui = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;
  let agent: AgentHandle;

  beforeAll(async () => {
    cp = await ui.start();
    agent = await ui.agent(cp, 'app-1', { role: 'app', env: 'prod' });
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await ui.cleanup();
  });

  it('opens from the fleet and shows the facts, the key fingerprint and the connection', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'app-1' }).click();
    await page.waitForURL(new RegExp(`/fleet/agents/${agent.agentId}$`));
    await page.getByRole('heading', { name: 'app-1' }).waitFor();
    const facts = await page.locator('[data-test="agent-facts"]').innerText();
    const stored = (await cp.api.get(`/agents/${agent.agentId}`)).body as Record<string, string>;
    expect(facts).toContain(agent.agentId);
    expect(facts).toContain(stored.keyFingerprint);
    expect(facts).toContain(stored.hostname);
    expect(facts).toContain('127.0.0.1');
    await page.locator('[data-test="agent-connections"]', { hasText: 'connected' }).waitFor();
    // The side menu keeps Fleet active on the agent's page.
    expect(await page.locator('[data-test="nav-fleet"]').getAttribute('aria-current')).toBe('page');
  });

  it('edits the labels', async () => {
    const { page } = tab;
    const card = page.locator('[data-test="agent-labels"]');
    await card.locator('[data-test="labels-edit"]').click();
    await card.getByRole('button', { name: 'Remove label env' }).click();
    await card.getByRole('button', { name: 'Add label' }).click();
    await card.getByLabel('Label 2 key').fill('zone');
    await card.getByLabel('Label 2 value').fill('eu-1');
    await card.locator('[data-test="labels-save"]').click();
    await card.getByText('zone=eu-1').waitFor();
    const stored = (await cp.api.get(`/agents/${agent.agentId}`)).body as { labels: Record<string, string> };
    expect(stored.labels).toEqual({ role: 'app', zone: 'eu-1' });
  });

  it('runs a command and streams its output while it runs, then shows exit code and duration', async () => {
    const { page } = tab;
    const box = page.locator('[data-test="command-box"]');
    await box.getByLabel('Command').fill('echo first; sleep 1.5; echo second >&2; exit 3');
    await box.getByLabel('Command').press('Enter');
    const output = box.locator('[data-test="command-output"]');
    // The first line arrives while the command still runs (it sleeps before the second); the
    // step's own system line (`$ echo first; …`) comes before it.
    await output.locator('.stream-stdout', { hasText: /^first\s*$/ }).waitFor();
    expect(await output.locator('.stream-stderr').count()).toBe(0);
    expect(await box.locator('[data-test="command-status"] [data-state="running"]').count()).toBe(1);
    // stderr is told apart from stdout.
    await output.locator('.stream-stderr', { hasText: /^second\s*$/ }).waitFor();
    await box.locator('[data-test="command-exit"]', { hasText: 'exit 3' }).waitFor();
    const duration = await box.locator('[data-test="command-duration"]').innerText();
    expect(duration).toMatch(/^\d+(\.\d+)? s$/);
    expect(Number.parseFloat(duration)).toBeGreaterThanOrEqual(1.5);
    expect(await box.locator('[data-test="command-status"] [data-state="failed"]').count()).toBe(1);
    // The job is the agent's latest run, linked to its page.
    const jobId = (await box.locator('[data-test="command-status"] a').innerText()).trim();
    await page.locator('[data-test="agent-runs"]').getByRole('link', { name: jobId }).waitFor();
    await tab.screenshot('agent-detail');
  });

  it('disables and enables another agent, each after a confirmation', async () => {
    const { page } = tab;
    const other = await ui.agent(cp, 'app-2');
    await page.goto(`/fleet/agents/${other.agentId}`);
    await page.locator('h1 + [data-status="online"]').waitFor();
    const dialog = page.locator('[data-test="confirm-dialog"]');
    await page.locator('[data-test="action-disable"]').click();
    await dialog.getByText('refused until it is enabled again').waitFor();
    await dialog.getByRole('button', { name: 'Disable app-2' }).click();
    await page.locator('h1 + [data-status="disabled"]').waitFor();
    await agentStatus(cp.api, other.agentId, 'disabled');
    expect(await page.locator('[data-test="action-disable"]').count()).toBe(0);
    // Refused, the agent process stops (a service manager would restart it).
    await expect(other.done).rejects.toMatchObject({ code: 'AGENT_REVOKED' });

    await page.locator('[data-test="action-enable"]').click();
    await dialog.getByRole('button', { name: 'Enable app-2' }).click();
    await page.locator('h1 + [data-status="offline"]').waitFor();
    await agentStatus(cp.api, other.agentId, 'offline');
    await page.goto(`/fleet/agents/${agent.agentId}`);
    await page.locator('h1 + [data-status="online"]').waitFor();
  });

  it('revokes the agent behind a confirmation that names it', async () => {
    const { page } = tab;
    await page.locator('[data-test="action-revoke"]').click();
    const dialog = page.locator('[data-test="confirm-dialog"]');
    await dialog.getByText('Revoke app-1?').waitFor();
    // Escape cancels: nothing changes.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await cp.api.get(`/agents/${agent.agentId}`)).body.status).toBe('online');

    await page.locator('[data-test="action-revoke"]').click();
    await dialog.getByText('never trusted again').waitFor();
    await tab.screenshot('agent-revoke-confirm');
    // The confirm button takes the focus once the dialog is open: Enter confirms.
    await eventually(
      async () => (await page.evaluate<string>('document.activeElement?.textContent ?? ""')).trim() === 'Revoke app-1',
    );
    await page.keyboard.press('Enter');
    await page.locator('h1 + [data-status="revoked"]').waitFor();
    await agentStatus(cp.api, agent.agentId, 'revoked');
    await expect(agent.done).rejects.toMatchObject({ code: 'AGENT_REVOKED' });
  });

  it('deletes it only once its name is typed', async () => {
    const { page } = tab;
    await page.locator('[data-test="action-delete"]').click();
    const dialog = page.locator('[data-test="confirm-dialog"]');
    const confirm = dialog.getByRole('button', { name: 'Delete app-1' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type app-1 to confirm').fill('app-');
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type app-1 to confirm').fill('app-1');
    await dialog.getByLabel('Type app-1 to confirm').press('Enter');
    await page.waitForURL(/\/fleet$/);
    await eventually(async () => (await cp.api.get(`/agents/${agent.agentId}`)).status === 404);
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
