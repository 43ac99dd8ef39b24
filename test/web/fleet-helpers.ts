/** What the fleet and agent browser tests share: reading the agents table, waiting on the page. */
import type { Page } from 'playwright-core';
import { eventually } from '../e2e/helpers/rest.js';

/** The names in the fleet table, top to bottom. */
export async function tableNames(page: Page): Promise<string[]> {
  return page.locator('[data-test="agents-table"] .el-table__body tr a.agent-link').allInnerTexts();
}

/** Waits until the fleet table shows exactly `names` (in any order), without reloading the page. */
export async function waitForNames(page: Page, names: readonly string[], timeoutMs = 10_000): Promise<void> {
  const want = [...names].sort().join(',');
  let seen = '';
  await eventually(
    async () => {
      seen = (await tableNames(page))
        .map((n) => n.trim())
        .sort()
        .join(',');
      return seen === want;
    },
    timeoutMs,
    `fleet table shows [${want}]`,
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}; last seen [${seen}]`);
  });
}

/** The row of agent `name` in the fleet table. */
export function row(page: Page, name: string) {
  return page.locator('[data-test="agents-table"] .el-table__body tr', {
    has: page.locator('a.agent-link', { hasText: new RegExp(`^\\s*${name}\\s*$`) }),
  });
}
