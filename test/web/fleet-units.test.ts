/**
 * The fleet pages' pure parts, without a browser: the URL ⇄ filters mapping that makes a view
 * bookmarkable, the enrolment line the "Add agents" dialog shows, and the workflow the command
 * box submits (the same document as `flotilla exec`).
 */
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  cursorFromQuery,
  filtersFromQuery,
  isFiltered,
  NO_FILTERS,
  queryFromFilters,
} from '../../apps/web/src/pages/fleet/fleet-query.js';
import { enrolCommand, shellQuote } from '../../apps/web/src/pages/fleet/enrol-command.js';
import { commandWorkflow, splitWords } from '../../apps/web/src/pages/fleet/command-workflow.js';
import { execWorkflow } from '../../apps/cli/src/commands/exec.js';

describe('fleet filters in the URL', () => {
  it('round-trips every filter, and a plain view is a plain URL', () => {
    const filters = {
      selector: 'role=web,env!=dev',
      status: ['online', 'disabled'] as const,
      q: 'db',
      sort: 'lastSeen' as const,
    };
    const query = queryFromFilters({ ...filters, status: [...filters.status] }, 'c1');
    expect(query).toEqual({
      selector: 'role=web,env!=dev',
      status: 'online,disabled',
      q: 'db',
      sort: 'lastSeen',
      cursor: 'c1',
    });
    expect(filtersFromQuery(query as Record<string, string>)).toEqual({ ...filters, status: ['online', 'disabled'] });
    expect(cursorFromQuery(query as Record<string, string>)).toBe('c1');
    expect(queryFromFilters(NO_FILTERS)).toEqual({});
    expect(isFiltered(NO_FILTERS)).toBe(false);
  });

  it('drops what a hand-edited URL gets wrong instead of sending it', () => {
    expect(filtersFromQuery({ status: 'online,nope,online', sort: 'size', q: ['a', 'b'] })).toEqual({
      selector: '',
      status: ['online'],
      q: 'a',
      sort: 'name',
    });
  });
});

describe('the enrolment line', () => {
  it('puts the token in the environment and quotes what the shell would read', () => {
    expect(enrolCommand({ serverUrl: 'https://flotilla.example.com:7700', token: 'fet_abc-DEF_1' })).toBe(
      'FLOTILLA_ENROLL_TOKEN=fet_abc-DEF_1 flotilla agent --server https://flotilla.example.com:7700',
    );
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
  });
});

describe('the command box workflow', () => {
  it('splits words like a shell, without expanding anything', () => {
    expect(splitWords(`ls -l "my dir" 'a b'\\ c $HOME ''`)).toEqual(['ls', '-l', 'my dir', 'a b c', '$HOME', '']);
    expect(splitWords('echo "open')).toBeUndefined();
    expect(splitWords('   ')).toEqual([]);
  });

  it('without the shell submits what `flotilla exec` submits', () => {
    const doc = commandWorkflow({ line: 'echo "hello world" x', shell: false, timeout: '5m' });
    expect(doc).toBe(execWorkflow(['echo', 'hello world', 'x'], '5m'));
  });

  it('with the shell runs the line through sh -c', () => {
    const doc = parseYaml(commandWorkflow({ line: 'uname -a | tr a-z A-Z', shell: true, timeout: '30s' }));
    expect(doc.tasks).toEqual([
      { name: 'exec', type: 'command', timeout: '30s', config: { command: 'uname -a | tr a-z A-Z', shell: true } },
    ]);
    expect(() => commandWorkflow({ line: ' ', shell: true, timeout: '5m' })).toThrow(/type a command/);
  });
});
