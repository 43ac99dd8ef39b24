import type { Locator, Page } from 'playwright-core';
import type { ControlPlane } from '../../e2e/helpers/control-plane.js';
import { eventually, rest, type Rest } from '../../e2e/helpers/rest.js';

/** The password of every user these helpers create. */
export const USER_PASSWORD = 'a long enough ui test password';

/** REST as `username`, logged in over HTTP. */
export async function restAs(cp: ControlPlane, username: string, password = USER_PASSWORD): Promise<Rest> {
  const login = await rest(cp.url).post('/auth/login', { username, password });
  if (login.status !== 200) throw new Error(`login of ${username} failed: ${JSON.stringify(login.body)}`);
  return rest(cp.url, login.body.token as string);
}

async function created(api: Rest, path: string, body: unknown): Promise<{ id: string }> {
  const res = await api.post(path, body);
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string };
}

/** Creates a user through REST (as `api`, an admin or the owner); returns its id. */
export async function createUser(
  api: Rest,
  user: { username: string; role: 'admin' | 'member'; tenant?: string },
): Promise<string> {
  return (await created(api, '/users', { ...user, password: USER_PASSWORD })).id;
}

/**
 * A member whose only access is a `read-only` grant on `project` through a team of its own:
 * what the issue calls a read-only member.
 */
export async function createReadOnlyMember(
  admin: Rest,
  member: { username: string; team: string; project: string },
): Promise<{ userId: string; teamId: string }> {
  const userId = await createUser(admin, { username: member.username, role: 'member' });
  const teamId = (await created(admin, '/teams', { name: member.team })).id;
  await created(admin, `/teams/${teamId}/members`, { userId });
  await created(admin, `/teams/${teamId}/grants`, { project: member.project, access: 'read-only' });
  return { userId, teamId };
}

/**
 * Waits until the page at hand has settled: it is shown and no table or panel is still
 * loading (pages read their data after mounting; controls in rows come with the data).
 */
export async function settled(page: Page): Promise<void> {
  await page.locator('main > *').first().waitFor();
  // Polled from here: `waitForFunction` evaluates in the page, which the UI's CSP (no eval) refuses.
  await eventually(async () => (await page.locator('.el-loading-mask').count()) === 0, 10_000, 'page loaded');
  // A last tick for data that arrived with the mask's removal to render its rows.
  await page.waitForTimeout(300);
}

/**
 * Labels of controls that change something: buttons (and links styled as buttons) whose
 * accessible name starts with one of these verbs. Reading controls (Filter, Verify chain, Export,
 * Previous/Next, copy, Sign out, the theme switch, Try again) do not match.
 */
export const MUTATING =
  /^\s*(new|create|add|approve|reject|revoke|delete|remove|disable|enable|cancel|re-?run|resume|run|save|edit|replace|restore|grant|withdraw|set|push|upload|import|label|rename|submit|execute|stop|retry)\b/i;

/** The accessible names of the mutating controls on the page (visible buttons only). */
export async function mutatingControls(page: Page): Promise<string[]> {
  const names: string[] = [];
  for (const button of await page.getByRole('button', { name: MUTATING }).all()) {
    if (!(await button.isVisible())) continue;
    const label = (await button.getAttribute('aria-label')) ?? (await button.innerText());
    names.push(label.trim());
  }
  return names;
}

/**
 * Picks `option` in an Element Plus select (found by its accessible name). The select's input
 * sits under its placeholder, so the click goes to the input regardless; a select that re-renders
 * as its data arrives may swallow the first click, so it is clicked until the option shows.
 */
export async function choose(page: Page, select: Locator, option: string): Promise<void> {
  const item = page.getByRole('option', { name: option, exact: true });
  await eventually(
    async () => {
      if (await item.isVisible()) return true;
      await select.click({ force: true });
      await item.waitFor({ timeout: 1000 }).catch(() => undefined);
      return item.isVisible();
    },
    10_000,
    `option ${option}`,
  );
  await item.click();
}
