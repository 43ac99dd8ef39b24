import { z } from 'zod';
import { hasPlaceholders } from '../expressions/template-syntax.js';
import { configKeyOf } from './config-timeout.js';
import type { ProblemCollector } from './problems.js';
import type { StepTree } from './step-sites.js';
import { isRecord } from './step-sites.js';
import { didYouMean } from './suggest.js';
import type { StepTypeSchema } from './type-check.js';

/**
 * Config fields that name an environment variable holding a secret (`key_env`,
 * `password_env` of `ssh` and `sftp`) carry `meta({ secretEnv: true })` in their schema. A
 * step's environment holds the run's secrets and nothing else, so such a field must name a
 * secret the workflow declares: a name that is not declared would fail the step at run time.
 */
export const SECRET_ENV_META = 'secretEnv';

/** The object shape of a config schema, under refinements, transforms and wrappers. */
function shapeOf(schema: z.ZodType, depth = 0): Record<string, z.ZodType> | undefined {
  if (depth > 8) return undefined;
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodPipe) return shapeOf(schema.in as z.ZodType, depth + 1);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) {
    return shapeOf(schema.unwrap() as z.ZodType, depth + 1);
  }
  return undefined;
}

function namesSecret(field: z.ZodType): boolean {
  let current: z.ZodType = field;
  for (let i = 0; i < 8; i++) {
    if (current.meta()?.[SECRET_ENV_META] === true) return true;
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault) current = current.unwrap() as z.ZodType;
    else return false;
  }
  return false;
}

/** Checks the secret-naming config fields of every step of a registered type. */
export function checkSecretEnvFields(
  tree: StepTree,
  registry: ReadonlyMap<string, StepTypeSchema> | undefined,
  secrets: ReadonlySet<string>,
  problems: ProblemCollector,
): void {
  if (registry === undefined) return;
  for (const site of tree.sites) {
    const schema = site.type === undefined ? undefined : registry.get(site.type)?.configSchema;
    const shape = schema === undefined ? undefined : shapeOf(schema);
    const key = configKeyOf(site.raw);
    const config = site.raw[key];
    if (shape === undefined || !isRecord(config)) continue;
    for (const [field, value] of Object.entries(config)) {
      const fieldSchema = shape[field];
      if (fieldSchema === undefined || !namesSecret(fieldSchema)) continue;
      if (typeof value !== 'string' || hasPlaceholders(value) || secrets.has(value)) continue;
      // a value that is no variable name at all is the schema's problem, reported already
      if (!fieldSchema.safeParse(value).success) continue;
      problems.error({
        code: 'UNKNOWN_NAME',
        path: [...site.path, key, field],
        step: site.id,
        message: `${field}: "${value}" is not a declared secret${didYouMean(value, secrets)}; the step's environment holds the workflow's secrets only: list it under "secrets:"`,
      });
    }
  }
}
