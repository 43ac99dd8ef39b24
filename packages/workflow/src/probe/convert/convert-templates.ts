import { probeTemplateParts } from '../expression/index.js';

/** A probe expression or template that has no Flotilla equivalent, with what to say about it. */
export class Untranslatable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Untranslatable';
  }
}

/** Who published each output name first, for flat `outputs.<name>`; `undefined` when ambiguous. */
export type Publishers = ReadonlyMap<string, string | undefined>;

/**
 * Where each probe var is in the Flotilla document: a variable of the same name, or the input
 * or secret that stands for the environment variable it reads (`{{NAME ?? 'default'}}`).
 */
export type VarPlaces = ReadonlyMap<string, { context: 'vars' | 'inputs' | 'secrets'; name: string }>;

/** What translation needs: who publishes outputs, where vars went. */
export interface Translation {
  publishers: Publishers;
  vars: VarPlaces;
}

const IDENT = '[A-Za-z_][A-Za-z0-9_]*';

/** `a.b["c"]` → ['a', 'b', 'c'], or undefined when the path is not static member access. */
export function memberPath(source: string): string[] | undefined {
  const text = source.trim();
  const head = new RegExp(`^(${IDENT})`).exec(text);
  if (head === null) return undefined;
  const path = [head[1] ?? ''];
  let rest = text.slice(head[0].length);
  const step = new RegExp(`^\\s*(?:\\.\\s*(${IDENT})|\\[\\s*(['"])([^'"]+)\\2\\s*\\])`);
  while (rest.length > 0) {
    const m = step.exec(rest);
    if (m === null) return undefined;
    path.push(m[1] ?? m[3] ?? '');
    rest = rest.slice(m[0].length);
  }
  return path;
}

/** A CEL member chain: `a.b` or `a["b-c"]` for keys that are not identifiers. */
export function celPath(root: string, path: readonly string[]): string {
  return path.reduce(
    (out, key) => (new RegExp(`^${IDENT}$`).test(key) ? `${out}.${key}` : `${out}[${JSON.stringify(key)}]`),
    root,
  );
}

/** A probe expression reading `vars` or `outputs` → its Flotilla expression (CEL). */
export function translateReference(source: string, { publishers, vars }: Translation): string {
  const path = memberPath(source);
  if (path === undefined)
    throw new Untranslatable(`"${source.trim()}" is more than a name (only vars.… and outputs.… are translated)`);
  const [root, first, ...rest] = path;
  if (root === 'vars' && first !== undefined) {
    const place = vars.get(first) ?? { context: 'vars', name: first };
    return celPath(place.context, [place.name, ...rest]);
  }
  if (root === 'outputs' && first !== undefined) {
    if (publishers.has(first) && rest.length === 0) {
      const step = publishers.get(first);
      if (step === undefined) throw new Untranslatable(`outputs.${first} is published by more than one step`);
      return celPath(`steps.${step}.outputs`, [first]);
    }
    const [name, ...deeper] = rest;
    if (name === undefined) throw new Untranslatable(`outputs.${first} names a whole step's outputs`);
    return celPath(`steps.${first}.outputs`, [name, ...deeper]);
  }
  throw new Untranslatable(`"${source.trim()}" reads ${root ?? 'nothing'}, which only probe has`);
}

/**
 * A string with `{{ expr }}` templates → the same with Flotilla placeholders: `{{.name}}` for a
 * plain var, `${{ … }}` for the rest. Throws Untranslatable for a template that is not a name.
 */
export function translateTemplate(text: string, translation: Translation): string {
  if (!text.includes('{{')) return text;
  const parts = probeTemplateParts(text);
  let out = '';
  let last = 0;
  for (const part of parts) {
    out += text.slice(last, part.template.offset);
    const path = memberPath(part.source);
    const place = path?.length === 2 && path[0] === 'vars' ? translation.vars.get(path[1] ?? '') : undefined;
    const name = place?.name ?? path?.[1] ?? '';
    out +=
      path?.length === 2 && path[0] === 'vars' && new RegExp(`^${IDENT}$`).test(name)
        ? `{{.${name}}}`
        : `\${{ ${translateReference(part.source, translation)} }}`;
    last = part.template.offset + part.template.length;
  }
  return out + text.slice(last);
}

/** Every string in a value through `translateTemplate`. */
export function translateTemplates(value: unknown, translation: Translation): unknown {
  if (typeof value === 'string') return translateTemplate(value, translation);
  if (Array.isArray(value)) return value.map((item) => translateTemplates(item, translation));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, translateTemplates(v, translation)]));
  }
  return value;
}
