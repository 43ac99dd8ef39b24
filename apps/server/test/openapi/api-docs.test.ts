import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '@flotilla/protocol';

const apiDoc = readFileSync(new URL('../../../../docs/api.md', import.meta.url), 'utf8');

describe('docs/api.md', () => {
  it('lists every error code of the catalogue with its status', () => {
    const missing = Object.entries(errorCatalogue)
      // Table cells may be padded (prettier aligns tables).
      .filter(([code, { status }]) => !new RegExp(`^\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`, 'm').test(apiDoc))
      .map(([code]) => code);
    // Add a row `| \`CODE\` | status | title |` to the table in docs/api.md for each code named here.
    expect(missing, `error codes missing from docs/api.md: ${missing.join(', ')}`).toEqual([]);
  });
});
