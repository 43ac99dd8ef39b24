import type { CliCommand } from '../command-registry.js';
import { formatProblem, readWorkflowText, splitAssignment, validateWorkflowFile } from '../workflow-file.js';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * `flotilla validate FILE [--var k=v]… [--json]`: checks a workflow document with the same code
 * the server and the UI editor use; `--var` as `flotilla run` takes it (a variable the document
 * may read undeclared). Exit 0 when valid (warnings allowed), 1 when invalid, 2 when unreadable.
 */
export const validateCommand: CliCommand = {
  register(program) {
    program
      .command('validate')
      .description('check a workflow file (YAML or JSON) and list every problem with its line and column')
      .argument('<file>', 'workflow document (.yaml, .yml or .json)')
      .option(
        '--var <key=value>',
        'a variable `flotilla run` will be given: the document may read it undeclared (repeatable)',
        collect,
        [],
      )
      .option('--json', 'machine-readable output: {ok, problems, warnings}')
      .action(async (file: string, opts: { json?: boolean; var: string[] }) => {
        const externalVariables = opts.var.map((v) => splitAssignment('--var', v)[0]);
        const result = validateWorkflowFile(file, await readWorkflowText(file), { externalVariables });
        const problems = result.ok ? [] : result.problems;
        process.exitCode = result.ok ? 0 : 1;
        if (opts.json === true) {
          console.log(JSON.stringify({ ok: result.ok, problems, warnings: result.warnings }, null, 2));
          return;
        }
        const lines = [
          ...problems.map((p) => ({ p, severity: 'error' as const })),
          ...result.warnings.map((p) => ({ p, severity: 'warning' as const })),
        ].sort((a, b) => a.p.line - b.p.line || a.p.column - b.p.column);
        for (const { p, severity } of lines) console.log(formatProblem(file, severity, p));
        const warnings = result.warnings.length === 0 ? '' : `, ${plural(result.warnings.length, 'warning')}`;
        console.log(
          result.ok ? `${file}: valid${warnings}` : `${file}: ${plural(problems.length, 'error')}${warnings}`,
        );
      });
  },
};
