import { describe, expect, it } from 'vitest';
import {
  ProbeExpressionError,
  probeTemplateParts,
  renderProbeTemplate,
  renderProbeTemplates,
} from '@flotilla/workflow';

// Cases from linyows/probe expr/expr_test.go (TestEvalTemplate, TestWholeStringTemplateTypePreservation,
// TestEvalTemplateMapEvaluatesKeys, TestErrorHandling) and expr/template.go (findTemplates).

const env = {
  env: { URL: 'https://example.com', TOKEN: 'secrets' },
  vars: {
    count: 123,
    price: 19.99,
    enabled: true,
    message: 'hello',
    name: 'John',
    age: 30,
    tenant: 't"1',
    hdr: 'x-tenant',
    none: null,
  },
  res: { body: { id: 1, list: [1, 2], map: { a: 1 } } },
  name: 'Bob',
  service: 'Alice',
};

function failure(run: () => unknown): ProbeExpressionError {
  try {
    run();
  } catch (err) {
    if (err instanceof ProbeExpressionError) return err;
    throw err;
  }
  throw new Error('expected a ProbeExpressionError');
}

describe('probeTemplateParts', () => {
  it('finds each template with the offset of its expression', () => {
    const text = 'Hi, {{ name }}. My name is {{service}}.';
    const parts = probeTemplateParts(text);
    expect(parts.map((p) => p.source)).toEqual(['name', 'service']);
    for (const part of parts) expect(text.slice(part.offset, part.offset + part.length)).toBe(part.source);
    expect(parts[0]?.template).toEqual({ offset: 4, length: 10 });
  });

  it.each<[string, string[]]>([
    ['no templates', []],
    ['{"a":{"b":1}}', []],
    ["{{ {'a': {'b': 1}}['a']['b'] }}", ["{'a': {'b': 1}}['a']['b']"]],
    ['{{ "}}" }}', ['"}}"']],
    ["{{ '{{' }}", ["'{{'"]],
    ['{{{vars.name}}}', ['vars.name']],
    ['{{ a /* }} */ }}', ['a /* }} */']],
    ['{{ a // note }}', ['a // note']],
    ['{{a}}{{b}}', ['a', 'b']],
  ])('%s', (text, sources) => {
    expect(probeTemplateParts(text).map((p) => p.source)).toEqual(sources);
  });

  it('refuses a {{ that is never closed, at its offset', () => {
    const err = failure(() => probeTemplateParts('ok {{ x }} then {{ y'));
    expect(err.code).toBe('EXPRESSION_SYNTAX');
    expect(err.offset).toBe(16);
    expect(failure(() => probeTemplateParts('{{ "}} ')).code).toBe('EXPRESSION_SYNTAX');
  });
});

describe('renderProbeTemplate', () => {
  it.each<[string, unknown]>([
    ['{{env.URL}}', 'https://example.com'],
    ['Bearer {{env.TOKEN}}', 'Bearer secrets'],
    ['Hi, {{ name }}. My name is {{ service }}.', 'Hi, Bob. My name is Alice.'],
    ["{{env.MISSING ?? 'http://localhost'}}", 'http://localhost'],
    ["{{env.URL == 'https://example.com' ? 'yes' : 'no'}}", 'yes'],
    ["{{MISSING ?? 'x'}}-{{vars.nothing ?? 'y'}}", 'x-y'],
    // a whole-string template keeps the value's type, surrounding whitespace aside
    ['{{ vars.count }}', 123],
    ['{{ vars.price }}', 19.99],
    ['{{ vars.enabled }}', true],
    ['{{ vars.message }}', 'hello'],
    ['  {{ vars.count }}  ', 123],
    ['{{ res.body.list }}', [1, 2]],
    ['{{ vars.none }}', null],
    // otherwise each part is printed
    ['Count: {{ vars.count }}', 'Count: 123'],
    ['{{ vars.name }} is {{ vars.age }}', 'John is 30'],
    ['n={{ vars.none }}', 'n=<nil>'],
    ['{{ res.body.map }} {{ res.body.list }}', '{"a":1} [1,2]'],
    ['{{ 0.1 + 0.2 }}/{{ 1e21 }}/{{ 0.00001 }}', '0.30000000000000004/1e+21/1e-05'],
    ['{{ 1000000.0 }}', 1000000],
    ['x{{ 1000000.0 }}', 'x1000000'],
    ['{{{vars.name}}}', '{John}'],
    ['port={{ {"db": {"port": 5432}}.db.port }}', 'port=5432'],
    ['no templates here', 'no templates here'],
    ['Auth: Basic {{encode_base64("user:pass")}}', 'Auth: Basic dXNlcjpwYXNz'],
  ])('%s', (text, expected) => {
    expect(renderProbeTemplate(text, env)).toEqual(expected);
  });

  it('reports an error at its offset in the text, naming the template', () => {
    const err = failure(() => renderProbeTemplate('Bearer {{outputs.login.token}}', { outputs: {} }));
    expect(err.code).toBe('EXPRESSION_FAILED');
    expect(err.message).toMatch(/^\{\{outputs\.login\.token\}\}: cannot read "token" of nil/);
    expect(err.offset).toBe('Bearer {{outputs.login.'.length);
    const syntax = failure(() => renderProbeTemplate('a {{ 1 + }} b', {}));
    expect(syntax.code).toBe('EXPRESSION_SYNTAX');
    expect(syntax.offset).toBe('a {{ 1 +'.length);
  });
});

describe('renderProbeTemplates', () => {
  it('renders strings at any depth, keeping types, without changing its input', () => {
    const input = {
      number: '{{ vars.count }}',
      partial: 'Count: {{ vars.count }}',
      unchanged: 'static value',
      n: 5,
      nested: { inner_number: '{{ vars.age }}', list: ['{{ vars.enabled }}', 'x'] },
    };
    const copy = structuredClone(input);
    expect(renderProbeTemplates(input, env)).toEqual({
      number: 123,
      partial: 'Count: 123',
      unchanged: 'static value',
      n: 5,
      nested: { inner_number: 30, list: [true, 'x'] },
    });
    expect(input).toEqual(copy);
  });

  it('renders templates in map keys as text', () => {
    expect(
      renderProbeTemplates(
        {
          body: { type: 'status', '{{ vars.tenant }}': { active: true }, 'item-{{ vars.age }}': '{{ vars.age }}' },
          headers: { '{{ vars.hdr }}': '{{ vars.tenant }}' },
        },
        env,
      ),
    ).toEqual({
      body: { type: 'status', 't"1': { active: true }, 'item-30': 30 },
      headers: { 'x-tenant': 't"1' },
    });
  });

  it('names where a failing string is, and the keys as written when two keys collide', () => {
    const err = failure(() =>
      renderProbeTemplates({ url: 'ok', headers: { authorization: 'Bearer {{login.token}}' } }, { login: null }),
    );
    expect(err.path).toBe('headers.authorization');
    expect(err.offset).toBe('Bearer {{login.'.length);
    expect(err.message).toMatch(/^headers\.authorization: \{\{login\.token\}\}: cannot read "token" of nil/);

    const list = failure(() => renderProbeTemplates({ items: ['ok', { name: '{{1 +}}' }] }, {}));
    expect(list.path).toBe('items[1].name');
    expect(list.code).toBe('EXPRESSION_SYNTAX');

    const secret = { vars: { a: 'runtime-token', b: 'runtime-token' } };
    const collision = failure(() => renderProbeTemplates({ '{{ vars.a }}': 1, '{{ vars.b }}': 2 }, secret));
    expect(collision.message).toMatch(/comes to the same key as/);
    expect(collision.message).not.toContain('runtime-token');
  });

  it('treats __proto__ in data as an ordinary key', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "{{ 1 + 1 }}"}}') as unknown;
    const out = renderProbeTemplates(input, {}) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ polluted: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
