/**
 * Every page of the UI, as the admin, in both themes: it renders its heading, stays within
 * 1280×800 without a horizontal scrollbar, and logs no console error or warning (issue 14 §5).
 * Detail pages are opened on real objects: an agent, a finished job, a stored workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlPlane } from '../e2e/helpers/control-plane.js';
import { ECHO_HI, finishedJob, submitJob } from '../e2e/helpers/jobs.js';
import { chromiumAvailable, TestBrowser } from './helpers/browser.js';
import { signIn, uiFixture } from './helpers/ui-server.js';

describe.skipIf(!chromiumAvailable())('every page, light and dark (real Chromium)', () => {
  const fixture = uiFixture();
  let cp: ControlPlane;
  let browser: TestBrowser;
  const pages: string[] = [];

  beforeAll(async () => {
    cp = await fixture.start();
    const agent = await fixture.agent(cp, 'tour-1', { role: 'web' });
    const jobId = await submitJob(cp.api, ECHO_HI, agent.agentId);
    await finishedJob(cp.api, jobId);
    const workflow = await cp.api.post('/workflows', {
      document: 'name: tour\ndescription: a stored workflow\n' + ECHO_HI.slice('name: t\n'.length),
    });
    if (workflow.status !== 201) throw new Error(`workflow: ${JSON.stringify(workflow.body)}`);
    pages.push(
      '/fleet',
      `/fleet/agents/${agent.agentId}`,
      '/jobs',
      `/jobs/${jobId}`,
      '/run',
      '/workflows',
      `/workflows/${workflow.body.id as string}`,
      `/workflows/${workflow.body.id as string}/run`,
      '/logs?q=hi',
      '/secrets',
      '/tokens',
      '/access',
      '/audit',
      '/about',
      '/no-such-page',
    );
    browser = await TestBrowser.launch();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await fixture.cleanup();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`renders every page in the ${scheme} theme without console problems`, async () => {
      const tab = await browser.open(cp.url, { colorScheme: scheme });
      await signIn(tab);
      for (const path of pages) {
        await tab.page.goto(path);
        await tab.page.locator('main h1, main [role="heading"], main .el-empty').first().waitFor();
        // Let the page's own requests settle before judging it (the event stream never idles).
        await expect.poll(() => tab.page.locator('.el-loading-mask').count()).toBe(0);
        await tab.page.waitForTimeout(200);
        const overflow = await tab.page.evaluate<boolean>(
          'document.scrollingElement.scrollWidth > document.scrollingElement.clientWidth',
        );
        expect(overflow, `${path} scrolls sideways at 1280×800`).toBe(false);
        expect(await tab.page.evaluate<boolean>(`document.documentElement.classList.contains('dark')`)).toBe(
          scheme === 'dark',
        );
        await tab.screenshot(`every-page-${scheme}${path.replace(/[/?=]+/g, '-')}`);
      }
      expect(tab.problems).toEqual([]);
      await tab.context.close();
    });
  }
});
