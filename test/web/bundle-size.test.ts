/**
 * The initial JavaScript of the UI — what a browser must fetch before the first page shows: the
 * entry script of `index.html` and every chunk it preloads — stays within SPEC §9's 300 KB gzip.
 * Pages, CodeMirror and other heavy parts are separate chunks loaded on demand.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { WEB_DIR } from './helpers/ui-server.js';

const BUDGET_BYTES = 300 * 1024;

/** The scripts `index.html` loads at once: its module entry and its modulepreload links. */
function initialScripts(html: string): string[] {
  const sources = [...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)].map((m) => m[1] ?? '');
  const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1] ?? '');
  return [...new Set([...sources, ...preloads])];
}

describe('initial bundle', () => {
  it(`is at most ${BUDGET_BYTES / 1024} KB of JavaScript, gzipped`, () => {
    const html = readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
    const scripts = initialScripts(html);
    expect(scripts.length).toBeGreaterThan(0);
    const sizes = scripts.map((src) => gzipSync(readFileSync(path.join(WEB_DIR, src))).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(`initial JavaScript: ${scripts.length} files, ${(total / 1024).toFixed(1)} KB gzip`);
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
