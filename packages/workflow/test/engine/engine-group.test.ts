import { describe, expect, it } from 'vitest';
import { expectValid, yaml } from '../document/helpers.js';
import { createHarness, statuses } from './helpers/harness.js';

describe('type: group and after_failure: skip-dependents', () => {
  it('a group runs all its tasks in order even after one fails, and fails; skip-dependents lets independent steps go on', async () => {
    const workflow = expectValid(
      yaml(
        'name: groups',
        'after_failure: skip-dependents',
        'tasks:',
        '  - name: first',
        '    type: group',
        '    needs: []',
        '    tasks:',
        '      - { name: a, type: fail }',
        '      - { name: b, type: record, config: { value: 1 } }',
        '  - { name: second, type: group, needs: [first], tasks: [{ name: c, type: record }] }',
        '  - { name: third, type: record, needs: [second] }',
        '  - { name: other, type: group, needs: [], tasks: [{ name: d, type: record }] }',
      ),
    );
    expect(workflow.afterFailure).toBe('skip-dependents');
    const h = createHarness();
    const record = await h.run(workflow);
    expect(record.status).toBe('failed');
    expect(statuses(record)).toEqual({
      'first/a': 'failed',
      'first/b': 'succeeded',
      first: 'failed',
      second: 'skipped',
      third: 'skipped',
      'other/d': 'succeeded',
      other: 'succeeded',
    });
    expect(h.log.order()).toEqual(expect.arrayContaining(['first/a', 'first/b', 'other/d']));
    expect(record.error).toMatchObject({ step: 'first/a' });
  });

  it('without after_failure a failure stops the run as before', async () => {
    const workflow = expectValid(
      yaml(
        'name: stop',
        'tasks:',
        '  - { name: g, type: group, tasks: [{ name: a, type: fail }, { name: b, type: record }] }',
        '  - { name: later, type: record, needs: [] }',
        '  - { name: after, type: record, needs: [g] }',
      ),
    );
    const record = await createHarness().run(workflow);
    expect(statuses(record)).toMatchObject({ 'g/a': 'failed', 'g/b': 'succeeded', g: 'failed', after: 'skipped' });
  });
});
