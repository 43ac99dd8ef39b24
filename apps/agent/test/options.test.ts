import { describe, expect, it } from 'vitest';
import { compileAgentOptions, defaultAgentName, deriveWsUrl } from '@flotilla/agent';

describe('compileAgentOptions', () => {
  it('fills defaults and derives the WebSocket URL', () => {
    const o = compileAgentOptions({ serverUrl: 'https://cp.example.com/' }, {});
    expect(o.wsUrl).toBe('wss://cp.example.com/agent/v1/connect');
    expect(o.serverUrl).toBe('https://cp.example.com');
    expect(o.dataDir).toMatch(/\.flotilla\/agent$/);
    expect(o.reconnectCapMs).toBe(60_000);
    expect(o.reconnectBaseMs).toBe(1000);
    expect(o.shutdownGraceMs).toBe(10_000);
    expect(o.name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
  });

  it('reads the environment when options are absent, options win over it', () => {
    const env = {
      FLOTILLA_SERVER: 'http://127.0.0.1:8080',
      FLOTILLA_ENROLL_TOKEN: 'tok',
      FLOTILLA_AGENT_DATA: '/tmp/x',
      FLOTILLA_AGENT_NAME: 'web-1',
    };
    const o = compileAgentOptions({}, env);
    expect(o).toMatchObject({
      wsUrl: 'ws://127.0.0.1:8080/agent/v1/connect',
      token: 'tok',
      dataDir: '/tmp/x',
      name: 'web-1',
    });
    expect(compileAgentOptions({ name: 'db-1' }, env).name).toBe('db-1');
  });

  it('converts durations', () => {
    const o = compileAgentOptions(
      { serverUrl: 'http://h', reconnectBase: '50ms', reconnectCap: 2, shutdownGrace: '1m' },
      {},
    );
    expect([o.reconnectBaseMs, o.reconnectCapMs, o.shutdownGraceMs]).toEqual([50, 2000, 60_000]);
  });

  it.each([
    [{}, 'serverUrl'],
    [{ serverUrl: 'ftp://h' }, 'serverUrl'],
    [{ serverUrl: 'http://h', name: 'bad name!' }, 'name'],
    [{ serverUrl: 'http://h', reconnectCap: '2m' }, 'reconnectCap'],
    [{ serverUrl: 'http://h', reconnectBase: 'soon' }, 'reconnectBase'],
    [{ serverUrl: 'http://h', labels: { 'bad key': 'x' } }, 'labels'],
    [{ serverUrl: 'http://h', bogus: 1 }, ''],
  ])('rejects %j with CONFIG_INVALID', (input, path) => {
    try {
      compileAgentOptions(input, {});
      expect.unreachable();
    } catch (err: any) {
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.errors.some((e: { path: string }) => e.path.startsWith(path))).toBe(true);
    }
  });

  it('sanitises the host name into a valid agent name', () => {
    expect(defaultAgentName('my host/ü.local')).toBe('my-host--.local');
    expect(defaultAgentName('---')).toBe('agent');
    expect(deriveWsUrl('http://h:1/base/')).toBe('ws://h:1/base/agent/v1/connect');
  });
});
