import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { builtinStepSpecs } from '@flotilla/steps/catalogue';

/**
 * The field docs live in the catalogue's schemas; the pages in docs/steps/ are the manual. Each
 * page must name every top-level config field of its step types (as `field`, or `field?`), so a field added
 * to a schema cannot stay undocumented.
 */
const stepsDir = fileURLToPath(new URL('../../docs/steps/', import.meta.url));

/** The object schema under refinements and transforms (`sftp` parses, then reshapes). */
function objectShape(schema: z.ZodType): Record<string, z.ZodType> {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodPipe) return objectShape(schema.in as z.ZodType);
  throw new Error(`not an object schema: ${schema.def.type}`);
}

/** `file.copy` is documented on file.md, every other type on its own page. */
const pageOf = (type: string): string => `${type.split('.')[0] ?? type}.md`;

describe('docs/steps/ pages', () => {
  for (const spec of builtinStepSpecs) {
    it(`${pageOf(spec.type)} documents every field of ${spec.type}`, () => {
      const page = readFileSync(`${stepsDir}${pageOf(spec.type)}`, 'utf8');
      const named = (field: string): boolean => page.includes(`\`${field}\``) || page.includes(`\`${field}?\``);
      const missing = Object.keys(objectShape(spec.configSchema)).filter((field) => !named(field));
      expect(missing).toEqual([]);
    });
  }

  it('README.md lists every step type with a link to its page', () => {
    const index = readFileSync(`${stepsDir}README.md`, 'utf8');
    const unlisted = builtinStepSpecs
      .map((spec) => spec.type)
      .filter((type) => !index.includes(`\`${type}\``) || !index.includes(`(${pageOf(type)})`));
    expect(unlisted).toEqual([]);
  });
});
