import { builtinModules } from 'node:module';
import { createContext, runInContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { StepSpec } from '@flotilla/steps/catalogue';
import { sampleConfigs } from './sample-configs.js';

/** Node's own modules, with and without the `node:` prefix. */
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
/** Zod is most of the bundle (its `z` namespace keeps every check and locale); ours is ~20 KB. */
const MAX_GZIP_BYTES = 160 * 1024;

interface Bundle {
  code: Uint8Array;
  metafile: Metafile;
}

/** Bundles `@flotilla/steps/catalogue` (from its sources) as a browser would load it. */
async function bundleCatalogue(format: 'esm' | 'iife'): Promise<Bundle> {
  const result = await build({
    stdin: { contents: "export * from '@flotilla/steps/catalogue';", resolveDir: import.meta.dirname, loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format,
    globalName: 'catalogue',
    minify: true,
    write: false,
    metafile: true,
    conditions: ['@flotilla/source'],
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild wrote no output');
  return { code: output.contents, metafile: result.metafile };
}

describe('@flotilla/steps/catalogue in the browser', () => {
  it('bundles for the browser with no Node module anywhere in its import graph', async () => {
    // platform 'browser' already fails the build on an import esbuild cannot resolve for it;
    // the metafile check names the module if a polyfill or an `external` ever hides one
    const { code, metafile } = await bundleCatalogue('esm');
    const nodeImports = Object.entries(metafile.inputs).flatMap(([file, input]) =>
      input.imports
        .filter((imported) => NODE_BUILTINS.has(imported.path))
        .map((imported) => `${file} → ${imported.path}`),
    );
    expect(nodeImports).toEqual([]);
    const sources = Object.keys(metafile.inputs).filter((file) => file.startsWith('packages/'));
    expect(sources.some((file) => file.startsWith('packages/steps/src/catalogue/'))).toBe(true);
    // the runners stay out: only the catalogue's own folder and protocol's schemas come in
    expect(sources.filter((file) => !/^packages\/(steps\/src\/catalogue|protocol\/src)\//.test(file))).toEqual([]);
    const gzip = gzipSync(code).length;
    console.info(`catalogue bundle: ${code.length} bytes minified, ${gzip} bytes gzip`);
    expect(gzip).toBeLessThan(MAX_GZIP_BYTES);
  });

  it('parses a config of every step type with only the globals a browser has', async () => {
    const { code } = await bundleCatalogue('iife');
    // A fresh realm holds the ECMAScript globals only; add the web APIs every browser has and no
    // Node global (Buffer, process, require): code using one of those fails here.
    const realm = createContext({ URL, URLSearchParams, atob, btoa, TextEncoder, TextDecoder, console });
    runInContext(new TextDecoder().decode(code), realm);
    const { stepCatalogue } = (realm as { catalogue: { stepCatalogue: ReadonlyMap<string, StepSpec> } }).catalogue;
    expect([...stepCatalogue.keys()].sort()).toEqual(Object.keys(sampleConfigs).sort());
    for (const [type, spec] of stepCatalogue) {
      const result = spec.configSchema.safeParse(sampleConfigs[type as keyof typeof sampleConfigs]);
      expect(result.error?.issues ?? [], type).toEqual([]);
      expect(['idempotent', 'at-most-once']).toContain(spec.effect(result.data));
    }
    // a bad config is refused with the issue a form would show next to the field
    const http = stepCatalogue.get('http');
    expect(http?.configSchema.safeParse({ method: 'GET' }).error?.issues[0]?.path).toEqual(['url']);
    expect(
      stepCatalogue.get('ssh')?.configSchema.safeParse({ ...sampleConfigs.ssh, host_key: 'SHA256:nope' }).success,
    ).toBe(false);
  });
});
