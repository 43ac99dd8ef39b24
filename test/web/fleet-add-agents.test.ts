/**
 * "Add agents" in a real browser: the dialog creates an enrolment token and shows the one-line
 * command; that very line, run by a shell (with `flotilla` being this checkout's CLI), enrols a
 * real agent that then appears in the fleet with the token's labels. The token is shown once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { row, waitForNames } from './fleet-helpers.js';

const BIN = resolve(import.meta.dirname, '../../apps/cli/bin/flotilla.js');
const cliBuilt = existsSync(resolve(import.meta.dirname, '../../apps/cli/dist/main.js'));

describe.skipIf(!chromiumAvailable())('fleet: add agents (real Chromium, the shown command run by sh)', () => {
  const ui = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;
  let dir: string;
  let agentProcess: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    if (!cliBuilt) throw new Error('run npm run build first: the shown command runs the built CLI');
    cp = await ui.start();
    dir = await mkdtemp(join(tmpdir(), 'flotilla-ui-enrol-'));
    // `flotilla` on the PATH of the shell that runs the command: this checkout's CLI.
    await writeFile(join(dir, 'flotilla'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    await chmod(join(dir, 'flotilla'), 0o755);
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
  }, 60_000);

  afterAll(async () => {
    if (agentProcess?.pid !== undefined && agentProcess.exitCode === null) {
      const exited = new Promise((ok) => agentProcess?.once('exit', ok));
      process.kill(-agentProcess.pid, 'SIGTERM');
      await exited;
    }
    await browser?.close();
    await ui.cleanup();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  let command = '';

  it('creates an enrolment token and shows the command that enrols a machine, once', async () => {
    const { page } = tab;
    await page.locator('[data-test="agents-table"]').waitFor();
    await page.locator('[data-test="add-agents"]').click();
    const dialog = page.locator('[data-test="add-agents-dialog"]');
    await dialog.getByLabel('Machines (uses)').fill('2');
    await dialog.getByLabel('Valid for').fill('2h');
    await dialog.getByRole('button', { name: 'Add label' }).click();
    await dialog.getByLabel('Label 1 key').fill('role');
    await dialog.getByLabel('Label 1 value').fill('batch');
    // Enter in a field creates the token (the dialog's form submits).
    await dialog.getByLabel('Valid for').press('Enter');
    command = (await dialog.locator('[data-test="enrol-command"]').innerText()).trim();
    expect(command).toMatch(
      new RegExp(`^FLOTILLA_ENROLL_TOKEN=\\S+ flotilla agent --server ${cp.url.replaceAll('.', '\\.')}$`),
    );
    await dialog.locator('[data-test="copy-command"]').click();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(command);
    await tab.screenshot('fleet-add-agents');

    const tokens = (await cp.api.get('/enrollment-tokens')).body.items as { uses: number; labels: object }[];
    expect(tokens).toEqual([expect.objectContaining({ uses: 2, labels: { role: 'batch' }, policy: 'auto-approve' })]);

    // Closed, the secret is gone: opening again starts a new token.
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.locator('[data-test="add-agents"]').click();
    expect(await dialog.locator('[data-test="enrol-command"]').count()).toBe(0);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('that command, run by a shell on a machine, enrols an agent that appears in the fleet with the labels', async () => {
    const { page } = tab;
    agentProcess = spawn('sh', ['-c', `${command} --name batch-1 --log-level warn`], {
      cwd: dir,
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    agentProcess.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    agentProcess.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForNames(page, ['batch-1'], 30_000).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\nagent output:\n${output}`);
    });
    await row(page, 'batch-1').locator('[data-status="online"]').waitFor({ timeout: 20_000 });
    expect(await row(page, 'batch-1').innerText()).toContain('role=batch');
    expect(existsSync(join(dir, '.flotilla', 'agent', 'agent.key'))).toBe(true);
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
