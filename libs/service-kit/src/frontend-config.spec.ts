import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { loadRegistry, parseRegistry, portFor, resolveEntry, serviceEntry } from '@hypernode/ports';
import { FRONTEND_CONFIG_GLOBAL, frontendConfig, FrontendConfigError, frontendConfigScript, frontendInstance, serverApiUrl } from './frontend-config.js';

describe('frontendInstance', () => {
  it('tells the dashboard its instance, and in development its checkout (never a server path in production)', () => {
    expect(frontendInstance({})).toEqual({ instance: 0 });
    expect(frontendInstance({ HYPERNODE_INSTANCE: '4', HYPERNODE_WORKSPACE: '/w/wt-b' })).toEqual({ instance: 4, checkout: '/w/wt-b' });
    expect(frontendInstance({ HYPERNODE_INSTANCE: '4', HYPERNODE_WORKSPACE: '/w/wt-b', HYPERNODE_PROFILE: 'production' })).toEqual({ instance: 4 });
    const script = frontendConfigScript({ ...frontendConfig({}), ...frontendInstance({ HYPERNODE_INSTANCE: '4', HYPERNODE_WORKSPACE: '/w/wt-b' }) });
    expect(runInNewContext(`var window = {}; ${script}; window`)[FRONTEND_CONFIG_GLOBAL]).toMatchObject({ instance: 4, checkout: '/w/wt-b' });
  });
});

describe('frontendConfig', () => {
  it('gives the registry URLs of the api and realtime for the profile and instance in the environment', () => {
    for (const env of [{}, { HYPERNODE_INSTANCE: '2' }, { HYPERNODE_PROFILE: 'staging' }, { API_PORT: '4999' }]) {
      expect(frontendConfig(env)).toMatchObject({
        apiUrl: `http://localhost:${portFor('api', { env })}`,
        wsUrl: `ws://localhost:${portFor('realtime', { env })}`,
      });
    }
    expect(frontendConfig({ HYPERNODE_INSTANCE: '2' }).apiUrl).not.toBe(frontendConfig({}).apiUrl);
  });

  it('lets an explicit variable win, either frontend naming; the api URL without a trailing slash, the WebSocket URL as given (a proxy route ends in /)', () => {
    expect(frontendConfig({ VITE_BACKEND_API_URL: 'https://api.example.com/', NEXT_PUBLIC_WS_URL: 'wss://example.com/ws/' })).toMatchObject({ apiUrl: 'https://api.example.com', wsUrl: 'wss://example.com/ws/' });
    expect(frontendConfig({ VITE_BACKEND_API_URL: 'http://a.test', NEXT_PUBLIC_API_URL: 'http://b.test' }).apiUrl).toBe('http://a.test');
    // Empty means unset.
    expect(frontendConfig({ VITE_BACKEND_API_URL: ' ' }).apiUrl).toBe(frontendConfig({}).apiUrl);
  });

  it('refuses a value a browser cannot use, naming the variable, the value and the fix', () => {
    expect(() => frontendConfig({ VITE_BACKEND_API_URL: 'localhost:3002' })).toThrow(FrontendConfigError);
    expect(() => frontendConfig({ VITE_BACKEND_API_URL: 'localhost:3002' })).toThrow(/VITE_BACKEND_API_URL="localhost:3002" is not valid: expected an absolute http or https URL.*Fix or unset VITE_BACKEND_API_URL/);
    expect(() => frontendConfig({ NEXT_PUBLIC_WS_URL: 'http://localhost:3003' })).toThrow(/NEXT_PUBLIC_WS_URL="http:\/\/localhost:3003" is not valid: expected an absolute ws or wss URL/);
  });
});

describe('frontendConfig supervisorUrl', () => {
  // A registry like the workspace's plus (or minus) a `supervisor` entry, so the test holds
  // whichever the checked-in registry has.
  const base = loadRegistry();
  const withSupervisor = (port: number) =>
    parseRegistry(JSON.stringify({ services: [...base.services.filter((s) => s.name !== 'supervisor'), { name: 'supervisor', port, kind: 'http', purpose: 'test supervisor', health: { type: 'http', path: '/health' }, required: false }] }), '(test registry)');
  const without = parseRegistry(JSON.stringify({ services: base.services.filter((s) => s.name !== 'supervisor') }), '(test registry)');
  const supervisorPort = portFor('api', { env: {} }) + 50;

  it('is the registry supervisor\'s browser URL for the profile and instance when the registry lists one', () => {
    const registry = withSupervisor(supervisorPort);
    expect(frontendConfig({}, registry).supervisorUrl).toBe(`http://localhost:${supervisorPort}`);
    const env = { HYPERNODE_INSTANCE: '61' };
    expect(frontendConfig(env, registry).supervisorUrl).toBe(`http://localhost:${resolveEntry(serviceEntry('supervisor', registry), { env, registry }).port}`);
    expect(frontendConfig(env, registry).supervisorUrl).not.toBe(frontendConfig({}, registry).supervisorUrl);
  });

  it('is absent outside the development profile (no supervisor runs there), unless VITE_SUPERVISOR_URL names one', () => {
    const registry = withSupervisor(supervisorPort);
    expect(frontendConfig({ HYPERNODE_PROFILE: 'development' }, registry).supervisorUrl).toBe(`http://localhost:${supervisorPort}`);
    for (const profile of ['staging', 'production']) {
      const config = frontendConfig({ HYPERNODE_PROFILE: profile }, registry);
      expect(config, profile).not.toHaveProperty('supervisorUrl');
      const window: Record<string, object> = {};
      runInNewContext(frontendConfigScript(config), { window });
      expect(Object.keys(window[FRONTEND_CONFIG_GLOBAL]!), profile).not.toContain('supervisorUrl');
      expect(frontendConfig({ HYPERNODE_PROFILE: profile, VITE_SUPERVISOR_URL: 'http://sup.example:9' }, registry).supervisorUrl, profile).toBe('http://sup.example:9');
    }
  });

  it('is absent when the registry has no supervisor, and absent from the config script then', () => {
    expect(frontendConfig({}, without)).not.toHaveProperty('supervisorUrl');
    const window: Record<string, object> = {};
    runInNewContext(frontendConfigScript(frontendConfig({}, without)), { window });
    expect(Object.keys(window[FRONTEND_CONFIG_GLOBAL]!)).toEqual(['apiUrl', 'wsUrl']);
  });

  it('lets VITE_SUPERVISOR_URL win (without a trailing slash), and refuses a non-http value naming it', () => {
    expect(frontendConfig({ VITE_SUPERVISOR_URL: 'https://sup.example/' }, without).supervisorUrl).toBe('https://sup.example');
    expect(() => frontendConfig({ VITE_SUPERVISOR_URL: 'ws://x.test' }, without)).toThrow(/VITE_SUPERVISOR_URL="ws:\/\/x.test" is not valid: expected an absolute http or https URL/);
  });

  it('reaches the browser through the config script', () => {
    const window: Record<string, { supervisorUrl?: string }> = {};
    runInNewContext(frontendConfigScript(frontendConfig({}, withSupervisor(supervisorPort))), { window });
    expect(window[FRONTEND_CONFIG_GLOBAL]!.supervisorUrl).toBe(`http://localhost:${supervisorPort}`);
  });
});

describe('frontendConfigScript', () => {
  it('sets the global a browser reads, frozen, with exactly the two URLs', () => {
    const window: Record<string, unknown> = {};
    runInNewContext(frontendConfigScript({ apiUrl: 'http://a.test', wsUrl: 'ws://b.test' }), { window });
    expect(window[FRONTEND_CONFIG_GLOBAL]).toEqual({ apiUrl: 'http://a.test', wsUrl: 'ws://b.test' });
    expect(Object.isFrozen(window[FRONTEND_CONFIG_GLOBAL])).toBe(true);
  });

  it('cannot close an inline <script> element whatever the URLs hold', () => {
    const script = frontendConfigScript({ apiUrl: 'http://a.test/</script><script>alert(1)</script>', wsUrl: 'ws://b.test' });
    expect(script).not.toContain('</script>');
    const window: Record<string, { apiUrl: string }> = {};
    runInNewContext(script, { window });
    expect(window[FRONTEND_CONFIG_GLOBAL]!.apiUrl).toBe('http://a.test/</script><script>alert(1)</script>');
  });
});

describe('serverApiUrl', () => {
  it('prefers API_URL, then the registry peer URL; never the browser URL (a public host behind a proxy)', () => {
    expect(serverApiUrl({ API_URL: 'http://api:3002/', VITE_BACKEND_API_URL: 'http://x.test' })).toBe('http://api:3002');
    expect(serverApiUrl({ NEXT_PUBLIC_API_URL: 'http://x.test/api' })).toBe(`http://localhost:${portFor('api', { env: {} })}`);
    expect(serverApiUrl({ HYPERNODE_NETWORK: 'compose' })).toBe(`http://api:${portFor('api', { env: {} })}`);
    expect(serverApiUrl({ API_HOST: '127.0.0.1', API_PORT: '4999', NEXT_PUBLIC_API_URL: 'http://x.test/api' })).toBe('http://127.0.0.1:4999');
    expect(serverApiUrl({ HYPERNODE_INSTANCE: '3' })).toBe(`http://localhost:${portFor('api', { env: { HYPERNODE_INSTANCE: '3' } })}`);
    expect(() => serverApiUrl({ API_URL: 'api:3002' })).toThrow(/API_URL="api:3002" is not valid/);
  });
});
