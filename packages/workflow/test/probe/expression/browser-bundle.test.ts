import { builtinModules } from 'node:module';
import { createContext, runInContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type * as ProbeExpressions from '../../../src/probe/expression/index.js';

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
/** Chevrotain (~45 KB gzip with its lodash-es parts) and RE2 (~60 KB) are most of it. */
const MAX_GZIP_BYTES = 160 * 1024;

/** Bundles the probe expression language (from its sources) as the studio would load it. */
async function bundle(format: 'esm' | 'iife') {
  const result = await build({
    entryPoints: [new URL('../../../src/probe/expression/index.ts', import.meta.url).pathname],
    bundle: true,
    platform: 'browser',
    format,
    globalName: 'probeExpressions',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no output');
  return { code: output.contents, metafile: result.metafile };
}

describe('probe expressions in the browser', () => {
  it('bundle with no Node module in their import graph', async () => {
    const { code, metafile } = await bundle('esm');
    const nodeImports = Object.entries(metafile.inputs).flatMap(([file, input]) =>
      input.imports
        .filter((imported) => NODE_BUILTINS.has(imported.path))
        .map((imported) => `${file} → ${imported.path}`),
    );
    expect(nodeImports).toEqual([]);
    const gzip = gzipSync(code).length;
    console.info(`probe expression bundle: ${code.length} bytes minified, ${gzip} bytes gzip`);
    expect(gzip).toBeLessThan(MAX_GZIP_BYTES);
  });

  it('evaluate with only the globals a browser has', async () => {
    const { code } = await bundle('iife');
    // ECMAScript globals plus the web APIs every browser has; no Buffer, process or require.
    const realm = createContext({ atob, btoa, TextEncoder, TextDecoder, console });
    runInContext(new TextDecoder().decode(code), realm);
    const api = (realm as { probeExpressions: typeof ProbeExpressions }).probeExpressions;
    const env = { res: { code: 200, body: { name: 'alice', token: 'dG9r' } } };
    const test = 'res.code == 200 && res.body.name matches "(?i)^ALI" && decode_base64(res.body.token) == "tok"';
    expect(api.compileProbeExpression(test).evaluate(env)).toBe(true);
    expect(api.renderProbeTemplate('{{ toJSON(parse_json(\'{"b":1,"a":2}\')) }}', env)).toBe(
      '{\n  "a": 2,\n  "b": 1\n}',
    );
    expect(api.renderProbeTemplates({ h: 'Bearer {{ res.body.token }}' }, env)).toEqual({ h: 'Bearer dG9r' });
    expect(() => api.compileProbeExpression('1 +')).toThrow(/end of expression/);
  });
});
