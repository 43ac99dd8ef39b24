import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AgentHandle } from '@flotilla/agent';
import { controlPlanes, ADMIN_PASSWORD, type ControlPlane } from '../../e2e/helpers/control-plane.js';
import { testAgents } from '../../e2e/helpers/agents.js';
import { eventually } from '../../e2e/helpers/rest.js';
import type { WatchedPage } from './browser.js';

/** The built UI (`npm run build`; `npm test` builds first). */
export const WEB_DIR = path.resolve(import.meta.dirname, '../../../apps/web/dist');

export { ADMIN_PASSWORD };

/** A real control plane serving the built UI, with real agents; everything stops in `cleanup`. */
export function uiFixture() {
  const planes = controlPlanes();
  const agents = testAgents();
  return {
    async start(): Promise<ControlPlane> {
      if (!existsSync(path.join(WEB_DIR, 'index.html'))) {
        throw new Error(`the web UI is not built at ${WEB_DIR}: run npm run build`);
      }
      return planes.start({ webDir: WEB_DIR });
    },
    /** Starts the control plane again on its port and data (after `close()`): a restart. */
    restart(at: { port: number; dataDir: string }): Promise<ControlPlane> {
      return planes.start({ webDir: WEB_DIR, ...at });
    },
    /** Enrols and starts a real agent, approved, and waits until it is online. */
    async agent(cp: ControlPlane, name: string, labels: Record<string, string> = {}): Promise<AgentHandle> {
      const token = await cp.enrollmentToken();
      const agent = await agents.start({ serverUrl: cp.url, dataDir: await agents.dataDir(), token, name, labels });
      await eventually(async () => {
        const res = await cp.api.get(`/agents/${agent.agentId}`);
        return res.body?.status === 'online';
      });
      return agent;
    },
    async cleanup(): Promise<void> {
      await agents.cleanup();
      await planes.cleanup();
    },
  };
}

/** Signs in through the login page as `username` and waits for the fleet page. */
export async function signIn(watched: WatchedPage, username = 'admin', password = ADMIN_PASSWORD): Promise<void> {
  const { page } = watched;
  await page.goto('/');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // By path: the login page's own URL (`/login?redirect=/fleet`) matches a bare /\/fleet/.
  await page.waitForURL((url) => url.pathname.startsWith('/fleet'));
}
