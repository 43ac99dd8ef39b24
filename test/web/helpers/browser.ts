import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it). */
export const CHROMIUM = process.env.FLOTILLA_CHROMIUM ?? '/usr/bin/chromium';
/** Where each browser test leaves its screenshot (ignored by git). */
export const RESULTS_DIR = path.resolve(import.meta.dirname, '../../../test-results');

const REQUIRE_SERVICES = process.env.FLOTILLA_REQUIRE_SERVICES === '1';

/**
 * Whether the browser suite can run here. Without Chromium it is skipped loudly, except under
 * `FLOTILLA_REQUIRE_SERVICES=1`, where a missing browser fails the run.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `browser tests need Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  if (REQUIRE_SERVICES) throw new Error(`FLOTILLA_REQUIRE_SERVICES=1: ${message}`);
  console.warn(`SKIPPED: ${message}`);
  return false;
}

/** A browser page that records every console error and warning and every uncaught page error. */
export interface WatchedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors/warnings and page errors seen so far. */
  readonly problems: string[];
  /** Saves a full-page screenshot as `test-results/<name>.png`. */
  screenshot(name: string): Promise<string>;
}

/** One headless Chromium per test file; pages are opened with `open()` and closed with the browser. */
export class TestBrowser {
  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<TestBrowser> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    });
    return new TestBrowser(browser);
  }

  /** A fresh context (own cookies) at 1280×800, the size the UI is designed for. */
  async open(baseURL: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<WatchedPage> {
    const context = await this.browser.newContext({
      baseURL,
      viewport: { width: 1280, height: 800 },
      colorScheme: options.colorScheme ?? 'light',
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        // A failed load names only its status: the location says which resource it was.
        const where = message.location().url;
        problems.push(`console.${message.type()}: ${message.text()}${where === '' ? '' : ` (${where})`}`);
      }
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    return {
      page,
      context,
      problems,
      async screenshot(name) {
        await mkdir(RESULTS_DIR, { recursive: true });
        const file = path.join(RESULTS_DIR, `${name}.png`);
        await page.screenshot({ path: file });
        return file;
      },
    };
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}
