import type { CallProblem, ValidationProblem } from '@flotilla/workflow';
import type { CliCommand } from '../command-registry.js';
import { formatProblem, readWorkflowText, splitAssignment, validateWorkflowFile } from '../workflow-file.js';
import { formatCallProblem, resolveFileCalls } from '../workflow-resolver.js';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** A problem in a called document, as `--json` prints it: with its `file`. */
function withFile({ document, ...problem }: CallProblem): ValidationProblem & { file: string } {
  return { ...problem, file: document };
}

/**
 * `flotilla validate FILE [--var k=v]… [--workflows DIR] [--json]`: checks a workflow document
 * with the same code the server and the UI editor use, and the workflows it calls (by path
 * always, by name with `--workflows`); `--var` as `flotilla run` takes it (a variable the
 * document may read undeclared). Exit 0 when valid (warnings allowed), 1 when invalid, 2 when
 * unreadable.
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
      .option('--workflows <dir>', 'also check the workflows that `type: workflow` steps call by name, from DIR')
      .action(async (file: string, opts: { json?: boolean; var: string[]; workflows?: string }) => {
        const externalVariables = opts.var.map((v) => splitAssignment('--var', v)[0]);
        const result = validateWorkflowFile(file, await readWorkflowText(file), { externalVariables });
        // the workflows it calls are checked once the document itself is valid
        const calls = result.ok
          ? await resolveFileCalls(file, result.workflow, {
              workflowsDir: opts.workflows,
              namesWithoutDir: 'unchecked',
            })
          : undefined;
        const callProblems = calls?.ok === false ? calls.problems : [];
        const callWarnings = calls?.warnings ?? [];
        const problems = result.ok ? [] : result.problems;
        const ok = result.ok && callProblems.length === 0;
        const errors = problems.length + callProblems.length;
        const warningCount = result.warnings.length + callWarnings.length;
        process.exitCode = ok ? 0 : 1;
        if (opts.json === true) {
          console.log(
            JSON.stringify(
              {
                ok,
                problems: [...problems, ...callProblems.map(withFile)],
                warnings: [...result.warnings, ...callWarnings.map(withFile)],
              },
              null,
              2,
            ),
          );
          return;
        }
        const lines = [
          ...problems.map((p) => ({ p, severity: 'error' as const })),
          ...result.warnings.map((p) => ({ p, severity: 'warning' as const })),
        ].sort((a, b) => a.p.line - b.p.line || a.p.column - b.p.column);
        for (const { p, severity } of lines) console.log(formatProblem(file, severity, p));
        for (const p of callProblems) console.log(formatCallProblem('error', p));
        for (const p of callWarnings) console.log(formatCallProblem('warning', p));
        const warnings = warningCount === 0 ? '' : `, ${plural(warningCount, 'warning')}`;
        console.log(ok ? `${file}: valid${warnings}` : `${file}: ${plural(errors, 'error')}${warnings}`);
      });
  },
};
