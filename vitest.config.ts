import { defineConfig } from 'vitest/config';

// Tests import workspaces from their TypeScript sources (the `@flotilla/source` export
// condition), so a test run never depends on a stale build.
export default defineConfig({
  resolve: { conditions: ['@flotilla/source'] },
  ssr: { resolve: { conditions: ['@flotilla/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Verbose: every test name is visible, e.g. the store suite's `[sqlite]` and `[postgres]` runs.
    reporters: ['verbose'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // Control planes the tests start as processes (`flotilla server`, `up`) check every response
    // against its route contract; in-process test servers set `checkResponses` themselves.
    env: { FLOTILLA_CHECK_RESPONSES: '1' },
  },
});
