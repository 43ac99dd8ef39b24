import { describe, expect, it } from 'vitest';
import { workflowJsonSchema } from '@flotilla/workflow';

interface JsonSchemaObject {
  type?: string;
  properties?: Record<string, unknown>;
  required?: string[];
  additionalProperties?: unknown;
  $defs?: Record<string, JsonSchemaObject>;
  $ref?: string;
  items?: JsonSchemaObject;
  anyOf?: JsonSchemaObject[];
}

/** Follows `$ref`s into `$defs`, so the test does not depend on how Zod names definitions. */
function deref(root: JsonSchemaObject, node: JsonSchemaObject | undefined): JsonSchemaObject | undefined {
  let current = node;
  for (let i = 0; current?.$ref !== undefined && i < 10; i++) {
    const name = current.$ref.replace('#/$defs/', '');
    current = current.$ref === '#' ? root : root.$defs?.[name];
  }
  const option = current?.anyOf?.find((o) => o.type !== 'null');
  return option === undefined ? current : deref(root, option);
}

describe('workflowJsonSchema', () => {
  const schema = workflowJsonSchema() as JsonSchemaObject & { $schema?: string };

  it('is a JSON Schema object for the document', () => {
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['name']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties ?? {})).toEqual(
      expect.arrayContaining([
        'name',
        'description',
        'timeout',
        'variables',
        'vars',
        'inputs',
        'secrets',
        'on_failure',
        'tasks',
        'steps',
        'finally',
        'layout',
      ]),
    );
    expect(() => JSON.stringify(schema)).not.toThrow();
  });

  it('describes steps, recursively, with every step field', () => {
    const tasks = deref(schema, schema.properties?.tasks as JsonSchemaObject);
    const step = deref(schema, tasks?.items);
    expect(step?.required).toEqual(['name', 'type']);
    expect(Object.keys(step?.properties ?? {})).toEqual(
      expect.arrayContaining([
        'name',
        'id',
        'type',
        'config',
        'with',
        'needs',
        'if',
        'timeout',
        'retry',
        'continue_on_error',
        'on_interrupt',
        'effect',
        'outputs',
        'rollback',
        'then',
        'else',
        'tasks',
      ]),
    );
    const children = deref(schema, step?.properties?.tasks as JsonSchemaObject);
    expect(deref(schema, children?.items)).toBe(step);
  });

  it('returns a fresh copy each time', () => {
    const a = workflowJsonSchema();
    a.type = 'mutated';
    expect(workflowJsonSchema().type).toBe('object');
  });
});
