import { describe, expect, it } from 'vitest';
import { builtinSteps, createStepRegistry, stepCatalogue as nodeEntryCatalogue } from '@flotilla/steps';
import { builtinStepSpecs, stepCatalogue } from '@flotilla/steps/catalogue';
import { sampleConfigs } from './sample-configs.js';

describe('the step registry pairs each catalogue entry with its runner', () => {
  const registry = createStepRegistry();

  it('has exactly the catalogue types, each with the catalogue schema object', () => {
    expect([...registry.keys()].sort()).toEqual([...stepCatalogue.keys()].sort());
    expect(builtinSteps.map((step) => step.type)).toEqual(builtinStepSpecs.map((spec) => spec.type));
    for (const spec of builtinStepSpecs) {
      const step = registry.get(spec.type);
      // the very same schema: what the server and the CLI validate is what the agent parses
      expect(step?.configSchema, spec.type).toBe(spec.configSchema);
      expect(step?.description).toBe(spec.description);
      const config: unknown = spec.configSchema.parse(sampleConfigs[spec.type]);
      expect(step?.effect(config)).toBe((spec.effect as (c: unknown) => string)(config));
    }
  });

  it('is one catalogue, whichever entry it is imported from', () => {
    expect(nodeEntryCatalogue).toBe(stepCatalogue);
  });
});
