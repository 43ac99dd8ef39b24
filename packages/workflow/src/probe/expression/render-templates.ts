import type { EvaluationContext } from './context.js';
import { ProbeExpressionError, failed } from './errors.js';
import { renderTemplateText, renderTemplateValue } from './template-render.js';
import { isMap, newMap, setEntry } from './values.js';

function childPath(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function atPath(err: unknown, path: string): unknown {
  if (!(err instanceof ProbeExpressionError) || err.path !== undefined || path === '') return err;
  return new ProbeExpressionError(err.code, `${path}: ${err.message}`, err.offset, path);
}

/**
 * Renders every string in a JSON-like value: strings keep the type of a whole-string template,
 * arrays and maps are rendered item by item (a new value; the input is not changed), and a map key
 * holding a template is rendered as text, as probe does. Two keys that come to the same key are an
 * error naming the keys as written (the rendered key may be a credential).
 */
export function renderValue(value: unknown, ctx: EvaluationContext, path = ''): unknown {
  try {
    if (typeof value === 'string') return renderTemplateValue(value, ctx);
  } catch (err) {
    throw atPath(err, path);
  }
  if (Array.isArray(value)) return value.map((item: unknown, i) => renderValue(item, ctx, `${path}[${i}]`));
  if (!isMap(value)) return value;
  const out = newMap();
  const writtenAs = new Map<string, string>();
  for (const [key, item] of Object.entries(value)) {
    const keyPath = childPath(path, key);
    let rendered = key;
    if (key.includes('{{')) {
      try {
        rendered = renderTemplateText(key, ctx);
      } catch (err) {
        throw atPath(err, keyPath);
      }
    }
    const earlier = writtenAs.get(rendered);
    if (earlier !== undefined)
      throw atPath(
        failed(`the key ${JSON.stringify(key)} comes to the same key as ${JSON.stringify(earlier)}`),
        keyPath,
      );
    writtenAs.set(rendered, key);
    setEntry(out, rendered, renderValue(item, ctx, keyPath));
  }
  return out;
}
