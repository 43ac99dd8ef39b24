import { isMap } from './actions/values.js';

/**
 * A step's `with` over its job's `defaults` for the action: mappings are merged key by key
 * (so `headers` from the defaults and from the step combine), anything else the step gives wins.
 */
export function withDefaults(defaults: unknown, given: unknown): Record<string, unknown> {
  const base = isMap(defaults) ? defaults : {};
  const own = isMap(given) ? given : {};
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(own)) {
    const under = out[key];
    out[key] = isMap(under) && isMap(value) ? withDefaults(under, value) : value;
  }
  return out;
}
