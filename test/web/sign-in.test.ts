/**
 * The README's quick start in a real browser: the built `flotilla up` in a fresh directory, the
 * printed URL opened in Chromium, the printed credentials typed into the login page, and the
 * fleet page showing the local agent online. Then the session's edges: a lost session returns to
 * login remembering the page, sign-out ends the session.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { WEB_DIR } from './helpers/ui-server.js';

const BIN = resolve(import.meta.dirname, '../../apps/cli/bin/flotilla.js');
const built = existsSync(resolve(import.meta.dirname, '../../apps/cli/dist/main.js')) && existsSync(WEB_DIR);

describe.skipIf(!chromiumAvailable())('sign in from the quick start (real Chromium)', () => {
  let dir: string;
  let up: ChildProcess;
  let banner = '';
  let url = '';
  let password = '';
  let browser: TestBrowser;
  let tab: WatchedPage;

  beforeAll(async () => {
    if (!built) throw new Error('run npm run build first: the quick start uses the built CLI and UI');
    dir = mkdtempSync(join(tmpdir(), 'flotilla-ui-quickstart-'));
    // Port 0 is not offered by `up`: a free port is picked by listening once.
    up = spawn(process.execPath, [BIN, 'up', '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    up.stderr?.on('data', (chunk: Buffer) => (banner += chunk.toString()));
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`flotilla up did not start:\n${banner}`)), 45_000);
      up.stdout?.on('data', (chunk: Buffer) => {
        banner += chunk.toString();
        if (banner.includes('Press Ctrl-C to stop.')) {
          clearTimeout(timer);
          ok();
        }
      });
      up.once('exit', (code) => fail(new Error(`flotilla up exited with ${code}:\n${banner}`)));
    });
    url = /open\s+(http:\/\/\S+)/.exec(banner)?.[1] ?? '';
    password = /admin login\s+admin \/ (\S+)/.exec(banner)?.[1] ?? '';
    browser = await TestBrowser.launch();
    tab = await browser.open(url);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (up !== undefined && up.exitCode === null) {
      const exited = new Promise((ok) => up.once('exit', ok));
      up.kill('SIGTERM');
      await exited;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the URL to open, and the URL shows the login page', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    await tab.page.goto(url);
    await tab.page.getByRole('heading', { name: 'Sign in to Flotilla' }).waitFor();
    expect(new URL(tab.page.url()).pathname).toBe('/login');
    await tab.screenshot('sign-in-login-page');
  });

  it('the printed credentials lead to the fleet page with `local` online', async () => {
    await tab.page.getByLabel('Username').fill('admin');
    await tab.page.getByLabel('Password').fill(password);
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
    await tab.page.waitForURL(/\/fleet/);
    const row = tab.page.locator('[data-test="agents-table"] tr', { hasText: 'local' });
    await row.locator('[data-status="online"]').waitFor();
    await tab.screenshot('sign-in-fleet');
  });

  it('keeps no token in script-readable storage: the session is an HTTP-only cookie', async () => {
    // Browser-side expressions as text: the tests are type-checked for Node, without DOM types.
    const storage = await tab.page.evaluate<string>('JSON.stringify({ ...localStorage, ...sessionStorage })');
    expect(storage).not.toMatch(/token|session/i);
    const cookies = await tab.context.cookies();
    expect(cookies.find((c) => c.name === 'flotilla_session')?.httpOnly).toBe(true);
    expect(await tab.page.evaluate<string>('document.cookie')).not.toContain('flotilla_session');
  });

  it('a lost session returns to login with the page remembered, and back after signing in', async () => {
    // Both cookies expire together (same Expires): an expired session leaves neither.
    await tab.context.clearCookies();
    await tab.page.goto(`${url}about`);
    await tab.page.waitForURL(/\/login\?redirect=(%2F|\/)about/);
    await tab.page.getByLabel('Username').fill('admin');
    await tab.page.getByLabel('Password').fill(password);
    await tab.page.getByRole('button', { name: 'Sign in' }).click();
    await tab.page.waitForURL(/\/about$/);
    await tab.page.getByText('About this control plane').waitFor();
  });

  it('signing out ends the session: the API refuses the old cookie', async () => {
    const session = (await tab.context.cookies()).find((c) => c.name === 'flotilla_session')?.value ?? '';
    expect(session).not.toBe('');
    await tab.page.getByRole('button', { name: 'Sign out' }).click();
    await tab.page.waitForURL(/\/login/);
    const res = await fetch(`${url}api/v1/auth/me`, { headers: { cookie: `flotilla_session=${session}` } });
    expect(res.status).toBe(401);
  });

  it('answers API paths with problems, never with the UI', async () => {
    const res = await fetch(`${url}api/v1/nope`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const page = await fetch(`${url}jobs/job_1`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    // A malformed escape is a 400, a path out of the build a 404: problems, never a 500 or a file.
    for (const [path, status] of [
      ['%E0%A4%A', 400],
      ['assets/..%2f..%2fpackage.json', 404],
    ] as const) {
      const refused = await fetch(`${url}${path}`);
      expect(refused.status).toBe(status);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
