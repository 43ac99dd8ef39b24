import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalServices, createStepRegistry, systemClock } from '@flotilla/steps';
import { createEngine, createMemoryJournal, validateWorkflow } from '@flotilla/workflow';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Every ```yaml block in docs/ whose first line is `# example: run` is a complete workflow:
 * it must validate with the built-in step types and run to success, exactly as
 * `flotilla run FILE` would run it (secrets it declares get placeholder values).
 */
const MARKER = /^#\s*example:\s*run\s*$/;
const root = fileURLToPath(new URL('../../', import.meta.url));
const docsDir = join(root, 'docs');

interface Example {
  where: string;
  text: string;
}

function examples(): Example[] {
  const found: Example[] = [];
  const files = readdirSync(docsDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .sort();
  for (const file of files) {
    const lines = readFileSync(join(docsDir, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!/^```ya?ml\s*$/.test(lines[i] ?? '') || !MARKER.test(lines[i + 1] ?? '')) continue;
      const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
      if (end === -1) throw new Error(`docs/${file}:${i + 1}: unterminated code block`);
      found.push({
        where: `${relative(root, join(docsDir, file))}:${i + 2}`,
        text: lines.slice(i + 1, end).join('\n'),
      });
      i = end;
    }
  }
  return found;
}

const all = examples();
const registry = createStepRegistry();
const workDir = mkdtempSync(join(tmpdir(), 'flotilla-docs-'));
const originalCwd = process.cwd();
afterAll(() => {
  process.chdir(originalCwd);
  rmSync(workDir, { recursive: true, force: true });
});

describe('runnable examples in docs/', () => {
  it('finds the examples', () => {
    expect(all.length).toBeGreaterThan(0);
  });

  for (const example of all) {
    it(example.where, async () => {
      const result = validateWorkflow(example.text, { steps: registry });
      if (!result.ok) {
        const problems = result.problems.map((p) => `  ${p.line}:${p.column} ${p.code} ${p.message}`).join('\n');
        expect.fail(`${example.where} is not a valid workflow:\n${problems}`);
      }
      // files the example writes land in a scratch directory, never in the repository
      process.chdir(workDir);
      const logs: string[] = [];
      const engine = createEngine({
        registry,
        clock: systemClock,
        journal: createMemoryJournal(),
        services: createLocalServices({ fileRoots: [workDir, tmpdir()], onAlert: () => undefined }),
        onEvent: (e) => {
          if (e.kind === 'log') logs.push(`[${e.step}] ${e.line}`);
        },
      });
      const secrets = Object.fromEntries(
        result.workflow.secrets.map((name) => [name, `example-${name.toLowerCase()}`]),
      );
      const record = await engine.run({ runId: 'docs', workflow: result.workflow, secrets }).finally(() => {
        process.chdir(originalCwd);
      });
      const failed = record.steps.filter((s) => s.status !== 'succeeded' && s.status !== 'skipped');
      expect(
        record.status,
        `${example.where}: ${JSON.stringify(failed.map((s) => [s.key, s.error]))}\n${logs.join('\n')}`,
      ).toBe('succeeded');
    });
  }
});
