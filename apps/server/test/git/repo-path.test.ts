import { describe, expect, it } from 'vitest';
import { isRepoSegment, repoPath, workflowFilePath } from '../../src/git/repo-path.js';

describe('mirror paths', () => {
  it('keeps plain workflow names and percent-encodes the rest, without collisions', () => {
    expect(workflowFilePath('deploy web-1.prod')).toBe('workflows/deploy web-1.prod.yaml');
    expect(workflowFilePath('../etc/passwd')).toBe('workflows/%2E.%2Fetc%2Fpasswd.yaml');
    expect(workflowFilePath('a/b')).not.toBe(workflowFilePath('a_b'));
    expect(workflowFilePath('a%2Fb')).not.toBe(workflowFilePath('a/b'));
    expect(workflowFilePath('ünï')).toBe('workflows/%C3%BCn%C3%AF.yaml');
  });

  it('refuses tenant or project names that could leave the root', () => {
    expect(isRepoSegment('default')).toBe(true);
    for (const bad of ['..', '.hidden', 'a/b', '', 'x.git', 'a b']) expect(isRepoSegment(bad), bad).toBe(false);
    expect(() => repoPath('/data/git', '..', 'default')).toThrow();
    expect(repoPath('/data/git', 'acme', 'web')).toBe('/data/git/acme/web.git');
  });
});
