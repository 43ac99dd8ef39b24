/**
 * The workflows pages in a real Chromium against a real control plane and agent: create a
 * workflow from YAML (the server's problems shown at line:column first), see it listed, read its
 * YAML, save a second version, diff the two, restore the first as a third; run it from the form
 * generated from its `inputs:` and land on its job; delete it behind a confirmation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { eventually } from '../e2e/helpers/rest.js';
import { finishedJob } from '../e2e/helpers/jobs.js';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';

const AGENT = 'wf-runner';

function greet(greeting: string): string {
  return [
    'name: greet-ui',
    'description: Says hello from the browser test',
    'inputs:',
    '  who:',
    '    type: string',
    '    required: true',
    '  tone:',
    '    enum: [warm, dry]',
    '    default: warm',
    '  times:',
    '    type: number',
    '    default: 1',
    'tasks:',
    '  - name: greet',
    '    type: command',
    '    config:',
    '      command: echo',
    `      args: ["${greeting}, \${{ inputs.who }} (\${{ inputs.tone }})"]`,
    '',
  ].join('\n');
}
const BROKEN = 'name: broken-ui\ntasks:\n  - name: x\n    type: no-such-step\n';

describe.skipIf(!chromiumAvailable())('workflows pages (real Chromium)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;
  let workflowId = '';

  beforeAll(async () => {
    cp = await fixture.start();
    await fixture.agent(cp, AGENT, { role: 'wf' });
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  /** Loads YAML into the open dialog's editor the way a user uploads a file. */
  async function upload(text: string): Promise<void> {
    await tab.page
      .locator('[data-test="workflow-file"]')
      .setInputFiles({ name: 'workflow.yaml', mimeType: 'text/yaml', buffer: Buffer.from(text) });
    await tab.page
      .locator('[data-test="workflow-upload-dialog"] .cm-content')
      .getByText(text.split('\n')[0]!)
      .waitFor();
  }

  it('creates a workflow from YAML, showing the server’s problems at line:column first', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'Workflows', exact: true }).click();
    await page.waitForURL(/\/workflows$/);
    await page.getByText('No workflows in this project yet.').waitFor();
    await page.locator('[data-test="new-workflow"]').first().click();

    await upload(BROKEN);
    await page.locator('[data-test="workflow-check"]').click();
    const problem = page.locator('[data-test="workflow-errors"] li').first();
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/^\s*4:11\s*UNKNOWN_STEP_TYPE/);

    await upload(greet('hello'));
    await page.locator('[data-test="workflow-check"]').click();
    await page.locator('[data-test="workflow-valid"]').waitFor();
    await page.keyboard.press('Control+Enter');
    await page.waitForURL(/\/workflows\/[^/]+$/);
    workflowId = new URL(page.url()).pathname.split('/').pop()!;
    await page.locator('[data-test="workflow-name"]', { hasText: 'greet-ui' }).waitFor();
    // the YAML of the current version, highlighted by CodeMirror
    await page.locator('.cm-content').getByText('Says hello from the browser test').waitFor();
    expect(await page.locator('.cm-content .cm-line span[class]').count()).toBeGreaterThan(0);
  });

  it('saves a second version, shows the diff, and restores the first as a third', async () => {
    const { page } = tab;
    await page.locator('[data-test="edit-workflow"]').click();
    await upload(greet('good morning'));
    await page.locator('[data-test="workflow-save"]').click();
    await page.locator('.page-header .el-tag', { hasText: 'v2' }).waitFor();

    await page.getByRole('tab', { name: 'Diff' }).click();
    await page.waitForURL(/tab=diff/);
    const diff = page.locator('[data-test="workflow-diff"]');
    await diff.locator('[data-kind="add"]', { hasText: 'good morning' }).waitFor();
    await diff.locator('[data-kind="remove"]', { hasText: '"hello, ' }).waitFor();
    await tab.screenshot('workflow-detail-diff');

    await page.getByRole('tab', { name: /Versions/ }).click();
    await page.locator('[data-test="versions-table"] tbody tr').nth(1).waitFor();
    await page.locator('[data-test="restore-v1"]').click();
    await page.locator('.el-message-box').getByRole('button', { name: 'Restore' }).click();
    await page.locator('.page-header .el-tag', { hasText: 'v3' }).waitFor();
    await page.locator('.cm-content').getByText('"hello, ').waitFor();
    const versions = await cp.api.get(`/workflows/${workflowId}/versions`);
    expect(versions.body.items[0]).toMatchObject({
      version: 3,
      change: 'restore',
      restoredFrom: 1,
      createdBy: 'admin',
    });
    expect((await cp.api.get(`/workflows/${workflowId}`)).body.document).toBe(greet('hello'));
  });

  it('lists the workflow with its latest version, when and by whom', async () => {
    const { page } = tab;
    await page.getByRole('link', { name: 'Workflows', exact: true }).click();
    const row = page.locator('[data-test="workflows-table"] tbody tr', { hasText: 'greet-ui' });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/v3.*admin/);
    await tab.screenshot('workflows-list');
  });

  it('runs it from the form generated from its inputs and lands on its job', async () => {
    const { page } = tab;
    await page.goto(`/workflows/${workflowId}`);
    await page.locator('[data-test="run-workflow"]').click();
    await page.waitForURL(/\/run$/);
    // one field per declared input: text, a select for the enum (its default chosen), a number
    await page.getByLabel('who').waitFor();
    expect(await page.locator('[data-test="input-tone"] .el-select').textContent()).toContain('warm');
    await page.getByLabel('who').fill('ada');
    await page.locator('[data-test="input-tone"] .el-select').click();
    await page.locator('.el-select-dropdown__item', { hasText: 'dry' }).click();
    // a selector says at once how many agents it reaches (counted by the server)
    await page.locator('[data-test="target-selector"]').click();
    await page.getByLabel('Labels', { exact: true }).fill('role=nobody');
    await page.locator('[data-test="matching-agents"]', { hasText: 'No agent carries these labels' }).waitFor();
    await page.getByLabel('Labels', { exact: true }).fill('role=wf');
    await page.locator('[data-test="matching-agents"]', { hasText: '1 matching agent, 1 online' }).waitFor();
    await page.locator('[data-test="target-agent"]').click();
    await page.locator('[data-test="agent-select"]').click();
    await page.locator('.el-select-dropdown__item', { hasText: AGENT }).click();
    await tab.screenshot('workflow-run-form');
    await page.locator('[data-test="run-submit"]').click();
    await page.waitForURL(/\/jobs\/job_[^/?]+$/);
    const jobId = new URL(page.url()).pathname.split('/').pop()!;
    const job = await finishedJob(cp.api, jobId, 20_000);
    expect(job).toMatchObject({ state: 'succeeded', workflowName: 'greet-ui', workflowId, workflowVersion: 3 });
    const lines = (await cp.api.get(`/jobs/${jobId}/logs`)).body.items.map((l: { line: string }) => l.line);
    expect(lines).toContain('hello, ada (dry)');
  });

  it('shows a read-only member the workflow without a control that changes or runs anything', async () => {
    const user = await cp.api.post('/users', { username: 'wf-viewer', password: 'viewer password 1', role: 'member' });
    const team = await cp.api.post('/teams', { name: 'wf-viewers' });
    await cp.api.post(`/teams/${team.body.id}/members`, { userId: user.body.id });
    expect((await cp.api.post(`/teams/${team.body.id}/grants`, { project: '*', access: 'read-only' })).status).toBe(
      200,
    );
    const viewer = await browser.open(cp.url);
    await signIn(viewer, 'wf-viewer', 'viewer password 1');
    await viewer.page.goto('/workflows');
    await viewer.page.locator('[data-test="workflows-table"] tbody tr', { hasText: 'greet-ui' }).waitFor();
    expect(await viewer.page.locator('[data-test="new-workflow"]').count()).toBe(0);
    await viewer.page.goto(`/workflows/${workflowId}?tab=versions`);
    await viewer.page.locator('[data-test="versions-table"] tbody tr').nth(2).waitFor();
    for (const control of ['run-workflow', 'edit-workflow', 'delete-workflow', 'restore-v1', 'restore-v2']) {
      expect(await viewer.page.locator(`[data-test="${control}"]`).count(), control).toBe(0);
    }
    // the run form, opened by its URL, says why it cannot run instead
    await viewer.page.goto(`/workflows/${workflowId}/run`);
    await viewer.page.locator('[data-test="run-not-allowed"]').waitFor();
    expect(await viewer.page.locator('[data-test="run-submit"]').count()).toBe(0);
    expect(viewer.problems).toEqual([]);
    await viewer.context.close();
  });

  it('deletes the workflow only after a confirmation that names it', async () => {
    const { page } = tab;
    await page.goto(`/workflows/${workflowId}`);
    await page.locator('[data-test="delete-workflow"]').click();
    const box = page.locator('.el-message-box');
    await box.getByText('Delete the workflow "greet-ui"?').waitFor();
    await page.keyboard.press('Escape');
    await box.waitFor({ state: 'hidden' });
    expect((await cp.api.get(`/workflows/${workflowId}`)).status).toBe(200);

    await page.locator('[data-test="delete-workflow"]').click();
    await box.getByText('Delete the workflow "greet-ui"?').waitFor();
    // the confirm button has the focus: Enter confirms
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/workflows$/);
    await page.getByText('No workflows in this project yet.').waitFor();
    await eventually(async () => (await cp.api.get(`/workflows/${workflowId}`)).status === 404);
  });

  it('lists the problems of a refused save at line:column, and the cursor goes to one chosen', async () => {
    // Its own page: the refused request (422) is a console error of Chromium's, expected here only.
    const other = await browser.open(cp.url);
    await signIn(other);
    await other.page.goto('/workflows');
    await other.page.locator('[data-test="new-workflow"]').first().click();
    await other.page
      .locator('[data-test="workflow-file"]')
      .setInputFiles({ name: 'broken.yaml', mimeType: 'text/yaml', buffer: Buffer.from(BROKEN) });
    await other.page.locator('.cm-content').getByText('no-such-step').waitFor();
    await other.page.locator('[data-test="workflow-save"]').click();
    const problem = other.page.locator('[data-test="workflow-errors"] li').first();
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/^\s*4:11\s*UNKNOWN_STEP_TYPE\s*unknown step type "no-such-step"/);
    await other.page.getByRole('button', { name: 'Go to line 4, column 11' }).click();
    await other.page.locator('.cm-activeLine', { hasText: 'type: no-such-step' }).waitFor();
    // the dialog stays open with the document as written: nothing was saved
    expect((await cp.api.get('/workflows')).body.items.map((w: { name: string }) => w.name)).not.toContain('broken-ui');
    expect(other.problems).toHaveLength(1);
    expect(other.problems[0]).toMatch(/status of 422/);
    await other.context.close();
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
