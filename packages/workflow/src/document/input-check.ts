import type { ProblemCollector } from './problems.js';
import { isRecord } from './step-sites.js';

const TYPE_TESTS: Record<string, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  object: isRecord,
  array: Array.isArray,
};

/** An input's `default` and `enum` values must have the input's type, and the default must be allowed. */
export function checkInputs(inputs: unknown, problems: ProblemCollector): void {
  if (!isRecord(inputs)) return;
  for (const [name, spec] of Object.entries(inputs)) {
    if (!isRecord(spec)) continue;
    const type = typeof spec.type === 'string' ? spec.type : 'string';
    const test = TYPE_TESTS[type];
    if (test === undefined) continue; // unknown type: a shape problem, reported already
    if (spec.default !== undefined && !test(spec.default)) {
      problems.error({
        code: 'INVALID_VALUE',
        path: ['inputs', name, 'default'],
        message: `the default of input "${name}" must be of type ${type}`,
      });
    }
    if (Array.isArray(spec.enum)) {
      spec.enum.forEach((value, i) => {
        if (!test(value)) {
          problems.error({
            code: 'INVALID_VALUE',
            path: ['inputs', name, 'enum', i],
            message: `enum values of input "${name}" must be of type ${type}`,
          });
        }
      });
      if (
        spec.default !== undefined &&
        !spec.enum.some((value) => JSON.stringify(value) === JSON.stringify(spec.default))
      ) {
        problems.error({
          code: 'INVALID_VALUE',
          path: ['inputs', name, 'default'],
          message: `the default of input "${name}" is not one of its enum values`,
        });
      }
    }
  }
}
