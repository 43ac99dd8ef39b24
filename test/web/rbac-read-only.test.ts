/**
 * A read-only member sees no control that mutates, on every page, and the server refuses their
 * mutations anyway (issue 14 §4). The member's only access is a `read-only` grant on the project
 * through a team. Pages of other areas are visited by URL and checked by accessible role and name
 * (`MUTATING` in helpers/accounts.ts), so the test holds for whatever pages exist.
 *
 * Controls asserted absent: every visible button whose accessible name starts with New, Create,
 * Add, Approve, Reject, Revoke, Delete, Remove, Disable, Enable, Cancel, Re-run/Rerun, Resume,
 * Run, Save, Edit, Replace, Restore, Grant, Withdraw, Set, Push, Upload, Import, Label, Rename,
 * Submit, Execute, Stop or Retry. The one exception is self-service the server allows every
 * principal (see the cross-tenant matrix's READ_ONLY_ALLOWED): "New API token" on /tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import type { Rest } from '../e2e/helpers/rest.js';
import { ECHO_HI, finishedJob, submitJob } from '../e2e/helpers/jobs.js';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';
import { createReadOnlyMember, mutatingControls, restAs, settled, USER_PASSWORD } from './helpers/accounts.js';

/** Mutating controls a read-only member may still see, by page: self-service on their own tokens. */
const SELF_SERVICE: Record<string, readonly string[]> = { '/tokens': ['New API token'] };

const WORKFLOW = 'name: rbac-flow\ntasks:\n  - name: hi\n    type: command\n    config: {command: echo, args: [hi]}\n';

describe.skipIf(!chromiumAvailable())('a read-only member sees no mutating control (real Chromium)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let reader: WatchedPage;
  let readerApi: Rest;
  let ids: { agent: string; job: string; workflow: string; enrollmentToken: string };

  beforeAll(async () => {
    cp = await fixture.start();
    const agent = await fixture.agent(cp, 'rbac-agent');
    const job = await submitJob(cp.api, ECHO_HI, agent.agentId);
    await finishedJob(cp.api, job);
    const workflow = (await cp.api.post('/workflows', { document: WORKFLOW })).body.id as string;
    const enrollmentToken = (await cp.api.post('/enrollment-tokens', {})).body.id as string;
    expect((await cp.api.post('/secrets', { name: 'READ_ME', value: 'hidden' })).status).toBe(201);
    ids = { agent: agent.agentId, job, workflow, enrollmentToken };
    await createReadOnlyMember(cp.api, { username: 'reader', team: 'readers', project: 'default' });
    readerApi = await restAs(cp, 'reader');

    browser = await TestBrowser.launch();
    reader = await browser.open(cp.url);
    await signIn(reader, 'reader', USER_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  /** Every page: the side menu's entries as the reader sees them, the admin pages, and detail pages. */
  async function pagesToVisit(): Promise<string[]> {
    const nav: string[] = [];
    for (const item of await reader.page.locator('[data-test^="nav-"]').all()) {
      nav.push((await item.getAttribute('data-test')) ?? '');
    }
    const fromNav = nav.map((test) => `/${test.replace(/^nav-/, '')}`);
    const known = [
      '/fleet',
      `/fleet/agents/${ids.agent}`,
      '/jobs',
      `/jobs/${ids.job}`,
      '/run',
      '/workflows',
      `/workflows/${ids.workflow}`,
      `/workflows/${ids.workflow}/run`,
      '/logs',
      '/secrets',
      '/tokens',
      '/access',
      '/access?tab=teams',
      '/access?tab=projects',
      '/audit',
      '/about',
    ];
    return [...new Set([...fromNav, ...known])];
  }

  it('the menu leaves out what only admins use (Access, Audit)', async () => {
    await reader.page.locator('[data-test="nav-secrets"]').waitFor();
    expect(await reader.page.locator('[data-test="nav-access"]').count()).toBe(0);
    expect(await reader.page.locator('[data-test="nav-audit"]').count()).toBe(0);
  });

  it('shows no mutating control on any page, while showing the data', async () => {
    const found: Record<string, string[]> = {};
    for (const path of await pagesToVisit()) {
      await reader.page.goto(path);
      await settled(reader.page);
      const allowed = SELF_SERVICE[path] ?? [];
      const controls = (await mutatingControls(reader.page)).filter((name) => !allowed.includes(name));
      if (controls.length > 0) found[path] = controls;
      if (path === '/secrets') {
        await reader.page.locator('[data-test="secrets-table"] tr', { hasText: 'READ_ME' }).waitFor();
        await reader.screenshot('rbac-read-only-secrets');
      }
      if (path === '/tokens') await reader.page.getByText(ids.enrollmentToken).waitFor();
      if (path === '/fleet') await reader.page.getByText('rbac-agent').first().waitFor();
    }
    expect(found).toEqual({});
  });

  it('an admin sees those controls on the same pages (the check can fail)', async () => {
    const admin = await browser.open(cp.url);
    await signIn(admin);
    for (const path of ['/secrets', '/tokens', '/access?tab=teams']) {
      await admin.page.goto(path);
      await settled(admin.page);
      expect(await mutatingControls(admin.page), path).not.toEqual([]);
    }
    expect(admin.problems).toEqual([]);
  });

  it('the server refuses the member’s mutations with 403 regardless of the UI', async () => {
    const attempts: [string, Promise<{ status: number; body: { code?: string } }>][] = [
      ['set a secret', readerApi.post('/secrets', { name: 'NOPE', value: 'x' })],
      ['create an enrolment token', readerApi.post('/enrollment-tokens', {})],
      ['submit a job', readerApi.post('/jobs', { workflow: ECHO_HI, target: { agent: ids.agent } })],
      ['cancel a job', readerApi.post(`/jobs/${ids.job}/cancel`)],
      ['re-run a job', readerApi.post(`/jobs/${ids.job}/rerun`, {})],
      ['save a workflow', readerApi.post('/workflows', { document: WORKFLOW.replace('rbac-flow', 'other') })],
      ['disable an agent', readerApi.post(`/agents/${ids.agent}/disable`)],
      ['create a team', readerApi.post('/teams', { name: 'mine' })],
    ];
    const answers = await Promise.all(attempts.map(async ([what, call]) => [what, (await call).status] as const));
    expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(attempts.map(([what]) => [what, 403])));
  });

  it('logs no console error or warning', () => {
    expect(reader.problems).toEqual([]);
  });
});
