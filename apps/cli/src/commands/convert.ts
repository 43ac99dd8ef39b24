import { writeFile } from 'node:fs/promises';
import { convertProbeDocument, validateWorkflow } from '@flotilla/workflow';
import { stepCatalogue } from '@flotilla/steps/catalogue';
import { CliError } from '../cli-error.js';
import type { CliCommand } from '../command-registry.js';
import { formatProblem, readWorkflowText } from '../workflow-file.js';

interface ConvertOptions {
  output?: string;
  json?: boolean;
}

/**
 * `flotilla convert FILE [-o OUT] [--json]`: a linyows/probe document → the Flotilla format with
 * the same meaning, or every part that has no Flotilla equivalent (`CONVERT_UNSUPPORTED`) at its
 * line and column, and nothing written. Exit 0 when converted, 1 when not, 2 when unreadable.
 */
export const convertCommand: CliCommand = {
  register(program) {
    program
      .command('convert')
      .description('convert a linyows/probe document into the Flotilla format')
      .argument('<file>', 'probe document (.yml or .yaml)')
      .option('-o, --output <file>', 'write the Flotilla document to FILE instead of standard output')
      .option('--json', 'machine-readable output: {ok, document, problems, warnings}')
      .action(async (file: string, opts: ConvertOptions) => {
        const result = convertProbeDocument(await readWorkflowText(file));
        if (!result.ok) {
          process.exitCode = 1;
          if (opts.json === true) console.log(JSON.stringify({ ok: false, problems: result.problems }, null, 2));
          else {
            for (const problem of result.problems) console.error(formatProblem(file, 'error', problem));
            console.error(`${file}: not converted (${String(result.problems.length)} problem(s))`);
          }
          return;
        }
        // what convert writes must be a valid Flotilla document: a converter bug otherwise
        const check = validateWorkflow(result.text, { steps: stepCatalogue });
        if (!check.ok) {
          const first = check.problems[0];
          throw new CliError(
            `internal: the converted document is not valid (${first?.code ?? ''} ${first?.message ?? ''})`,
            1,
          );
        }
        if (opts.output !== undefined) await writeFile(opts.output, result.text);
        if (opts.json === true) {
          const out = { ok: true, document: result.text, problems: [], warnings: result.warnings };
          console.log(JSON.stringify(out, null, 2));
          process.exitCode = 0;
          return;
        }
        for (const warning of result.warnings) console.error(formatProblem(file, 'warning', warning));
        if (opts.output === undefined) console.log(result.text.trimEnd());
        else console.error(`${file}: converted to ${opts.output}`);
        process.exitCode = 0;
      });
  },
};
