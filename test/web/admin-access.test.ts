/**
 * The Access page and the project switcher in a real browser against a real control plane: an
 * owner creates a user, a team (members added and removed, grants given and withdrawn), a project
 * and a tenant; with a second project the header offers a project switcher whose choice changes
 * what every request acts on, is remembered (the id only), and survives a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { chromiumAvailable, TestBrowser, type WatchedPage } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';
import { choose, restAs, settled, USER_PASSWORD } from './helpers/accounts.js';

describe.skipIf(!chromiumAvailable())('access page and project switcher (real Chromium)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  let tab: WatchedPage;

  beforeAll(async () => {
    cp = await fixture.start();
    browser = await TestBrowser.launch();
    tab = await browser.open(cp.url);
    await signIn(tab);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  const teams = async () =>
    (await cp.api.get('/teams')).body.items as { name: string; members: unknown[]; grants: unknown[] }[];

  it('creates a member with a password; the new user can sign in', async () => {
    await tab.page.locator('[data-test="nav-access"]').click();
    await tab.page.waitForURL(/\/access/);
    await settled(tab.page);
    await tab.page.locator('[data-test="users-table"] tr', { hasText: 'admin' }).waitFor();
    await tab.page.getByRole('button', { name: 'New user' }).click();
    const dialog = tab.page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Username').fill('alice');
    await dialog.getByLabel('Password').fill(USER_PASSWORD);
    await dialog.getByLabel('Password').press('Enter');
    const row = tab.page.locator('[data-test="users-table"] tr', { hasText: 'alice' });
    await row.locator('[data-role="member"]').waitFor();
    await restAs(cp, 'alice');
  });

  it('creates a team, adds and removes a member, grants and withdraws access', async () => {
    await tab.page.getByRole('tab', { name: 'Teams' }).click();
    await tab.page.waitForURL(/tab=teams/);
    await tab.page.getByText('No teams yet.').waitFor();
    await tab.page.getByRole('button', { name: 'New team' }).click();
    const dialog = tab.page.getByRole('dialog', { name: 'New team' });
    await dialog.getByLabel('Team name').fill('ops');
    await dialog.getByRole('button', { name: 'Create team' }).click();
    const card = tab.page.locator('[data-test="team-ops"]');
    await card.getByText('nobody yet').waitFor();

    await choose(tab.page, card.getByRole('combobox', { name: 'User to add to team ops' }), 'alice');
    await card.getByRole('button', { name: 'Add member' }).click();
    await card.getByRole('button', { name: 'Remove alice from team ops' }).waitFor();

    await choose(tab.page, card.getByRole('combobox', { name: 'Project to grant team ops' }), 'default');
    await card.getByRole('button', { name: 'Grant' }).click();
    await card.getByText('default: read-only').waitFor();
    expect(await teams()).toMatchObject([
      { name: 'ops', members: [{ username: 'alice' }], grants: [{ project: 'default', access: 'read-only' }] },
    ]);
    await tab.screenshot('admin-access-teams');

    await card.getByRole('button', { name: "Withdraw team ops's access to default" }).click();
    await tab.page.getByRole('dialog', { name: 'Withdraw grant' }).getByRole('button', { name: 'Withdraw' }).click();
    await card.getByText('no project yet').waitFor();
    await card.getByRole('button', { name: 'Remove alice from team ops' }).click();
    await tab.page.getByRole('dialog', { name: 'Remove member' }).getByRole('button', { name: 'Remove' }).click();
    await card.getByText('nobody yet').waitFor();
    expect(await teams()).toMatchObject([{ name: 'ops', members: [], grants: [] }]);
  });

  it('creates a project; the header then offers it, and switching acts in it, remembered by id', async () => {
    expect(await tab.page.locator('[data-test="project-select"]').count()).toBe(0);
    await tab.page.getByRole('tab', { name: 'Projects' }).click();
    await tab.page.getByRole('button', { name: 'New project' }).click();
    const dialog = tab.page.getByRole('dialog', { name: 'New project' });
    await dialog.getByLabel('Project name').fill('web');
    await dialog.getByLabel('Project name').press('Enter');
    await tab.page.locator('[data-test="projects-table"] tr', { hasText: 'web' }).waitFor();
    const web = ((await cp.api.get('/projects')).body.items as { id: string; name: string }[]).find(
      (p) => p.name === 'web',
    );
    expect((await cp.api.post('/secrets?project=web', { name: 'WEB_ONLY', value: 'w' })).status).toBe(201);

    await tab.page.locator('[data-test="nav-secrets"]').click();
    await settled(tab.page);
    await tab.page.getByText('No secrets in this project yet.').waitFor();
    await choose(tab.page, tab.page.getByRole('combobox', { name: 'Project', exact: true }), 'web');
    await tab.page.locator('[data-test="secrets-table"] tr', { hasText: 'WEB_ONLY' }).waitFor();
    await tab.page.getByText('project web').waitFor();
    expect(await tab.page.evaluate<string | null>("localStorage.getItem('flotilla.project')")).toBe(web?.id);

    await tab.page.reload();
    await tab.page.locator('[data-test="secrets-table"] tr', { hasText: 'WEB_ONLY' }).waitFor();
    // What the page creates now goes to the chosen project.
    await tab.page.getByRole('button', { name: 'New secret' }).click();
    const secret = tab.page.getByRole('dialog', { name: 'New secret' });
    await secret.getByLabel('Name').fill('ALSO_WEB');
    await secret.getByLabel('Value').fill('v');
    await secret.getByLabel('Value').press('Enter');
    await tab.page.locator('[data-test="secrets-table"] tr', { hasText: 'ALSO_WEB' }).waitFor();
    const names = (await cp.api.get('/secrets?project=web')).body.items.map((s: { name: string }) => s.name);
    expect(names).toEqual(['ALSO_WEB', 'WEB_ONLY']);
    expect((await cp.api.get('/secrets')).body.items).toEqual([]);
  });

  it('the owner creates a tenant, and may then create a user in it', async () => {
    await tab.page.goto('/access?tab=tenants');
    await settled(tab.page);
    await tab.page.getByRole('button', { name: 'New tenant' }).click();
    const dialog = tab.page.getByRole('dialog', { name: 'New tenant' });
    await dialog.getByLabel('Tenant name').fill('acme');
    await dialog.getByRole('button', { name: 'Create tenant' }).click();
    await tab.page.locator('[data-test="tenants-table"] tr', { hasText: 'acme' }).waitFor();

    await tab.page.getByRole('tab', { name: 'Users' }).click();
    await tab.page.getByRole('button', { name: 'New user' }).click();
    const user = tab.page.getByRole('dialog', { name: 'New user' });
    await user.getByLabel('Username').fill('acme-admin');
    await user.getByLabel('Password').fill(USER_PASSWORD);
    await user.getByRole('radio', { name: 'Tenant admin' }).check({ force: true });
    await choose(tab.page, user.getByRole('combobox', { name: 'Tenant' }), 'acme');
    await user.getByRole('button', { name: 'Create user' }).click();
    await user.waitFor({ state: 'hidden' });
    // In acme, not in this tenant's list.
    const me = await (await restAs(cp, 'acme-admin')).get('/auth/me');
    expect(me.body).toMatchObject({ username: 'acme-admin', role: 'admin', tenant: 'acme' });
    expect(await tab.page.locator('[data-test="users-table"] tr', { hasText: 'acme-admin' }).count()).toBe(0);
  });

  it('logs no console error or warning', () => {
    expect(tab.problems).toEqual([]);
  });
});
