import { describe, expect, it } from 'vitest';
import { PortConfigError, UnknownServiceError } from './errors.js';
import { parseRegistry } from './registry.js';
import { bindHostFor, hostFor, listServices, portFor, publicUrlFor, urlFor } from './resolve.js';
import { browserOrigins, serviceEnv } from './service-env.js';

const registry = parseRegistry(
  JSON.stringify({
    services: [
      { name: 'site', port: 3000, kind: 'frontend', purpose: 'site', health: { type: 'http', path: '/' }, required: true },
      { name: 'api', port: 3002, kind: 'http', purpose: 'api', health: { type: 'http', path: '/health' }, required: true },
      { name: 'realtime', port: 3003, kind: 'websocket', purpose: 'ws', health: { type: 'http', path: '/health' }, required: true },
      { name: 'gpu-worker', port: 8080, kind: 'worker', purpose: 'gpu', health: { type: 'http', path: '/health' }, required: true },
      { name: 'postgres', port: 5432, kind: 'infra', purpose: 'db', health: { type: 'postgres' }, required: true },
      { name: 'redis', port: 6379, kind: 'infra', purpose: 'cache', health: { type: 'redis' }, required: true },
    ],
  }),
  '/test/registry.json',
);
const at = (env: NodeJS.ProcessEnv, extra: object = {}) => ({ registry, env, ...extra });

describe('port resolution', () => {
  it('development is the registry as is', () => {
    expect(portFor('api', at({}))).toBe(3002);
    expect(portFor('gpu-worker', at({ HYPERNODE_PROFILE: 'development' }))).toBe(8080);
  });

  it('staging moves every app port up by 1000 and leaves infra alone', () => {
    expect(portFor('api', at({ HYPERNODE_PROFILE: 'staging' }))).toBe(4002);
    expect(portFor('gpu-worker', at({ HYPERNODE_PROFILE: 'staging' }))).toBe(9080);
    expect(portFor('postgres', at({ HYPERNODE_PROFILE: 'staging' }))).toBe(5432);
  });

  it('production keeps registry ports and binds loopback only', () => {
    expect(portFor('api', at({ HYPERNODE_PROFILE: 'production' }))).toBe(3002);
    expect(bindHostFor(at({ HYPERNODE_PROFILE: 'production' }))).toBe('127.0.0.1');
    expect(bindHostFor(at({ HYPERNODE_HOST: '10.0.0.5', HYPERNODE_PROFILE: 'production' }))).toBe('10.0.0.5');
  });

  it('development and staging bind loopback only (localhost = 127.0.0.1 and ::1); every interface only when asked', () => {
    expect(bindHostFor(at({}))).toBe('localhost');
    expect(bindHostFor(at({ HYPERNODE_PROFILE: 'staging' }))).toBe('localhost');
    expect(bindHostFor(at({ HYPERNODE_HOST: '::' }))).toBe('::');
  });

  it('an instance shifts app ports by N × 100; infra stays shared', () => {
    expect(portFor('api', at({ HYPERNODE_INSTANCE: '2' }))).toBe(3202);
    expect(portFor('gpu-worker', at({ HYPERNODE_INSTANCE: '1' }))).toBe(8180);
    expect(portFor('redis', at({ HYPERNODE_INSTANCE: '2' }))).toBe(6379);
    expect(portFor('api', at({ HYPERNODE_INSTANCE: '1', HYPERNODE_PROFILE: 'staging' }))).toBe(4102);
  });

  it('options beat the environment for profile and instance', () => {
    expect(portFor('api', at({ HYPERNODE_PROFILE: 'staging', HYPERNODE_INSTANCE: '3' }, { profile: 'development', instance: 0 }))).toBe(3002);
  });

  it('precedence: <NAME>_PORT > PORT (alone only) > profile > registry', () => {
    const env = { API_PORT: '4100', PORT: '4200', HYPERNODE_PROFILE: 'staging', HYPERNODE_INSTANCE: '1' };
    expect(portFor('api', at(env, { alone: true }))).toBe(4100);
    expect(portFor('api', at({ ...env, API_PORT: undefined }, { alone: true }))).toBe(4200);
    expect(portFor('api', at({ ...env, API_PORT: undefined }, { alone: false }))).toBe(4102);
    expect(portFor('gpu-worker', at({ GPU_WORKER_PORT: '8123' }))).toBe(8123);
    expect(listServices(at({ API_PORT: '4100' })).find((s) => s.name === 'api')).toMatchObject({ source: 'env', registryPort: 3002, envVar: 'API_PORT' });
  });

  it.each([
    [{ API_PORT: 'abc' }, /API_PORT="abc" is not valid: expected a port number 1024–65535/],
    [{ API_PORT: '70000' }, /API_PORT="70000" is not valid: expected a port number 1024–65535/],
    [{ PORT: '12x' }, /PORT="12x" is not valid/],
    [{ HYPERNODE_PROFILE: 'qa' }, /HYPERNODE_PROFILE="qa" is not valid: expected one of development, staging, production/],
    [{ HYPERNODE_INSTANCE: '-1' }, /HYPERNODE_INSTANCE="-1" is not valid: expected a whole number 0–99/],
    [{ HYPERNODE_INSTANCE: '100' }, /HYPERNODE_INSTANCE="100" is not valid/],
  ])('rejects %o with a message naming the variable, value and range', (env, message) => {
    expect(() => portFor('api', at(env, { alone: true }))).toThrow(PortConfigError);
    expect(() => portFor('api', at(env, { alone: true }))).toThrow(message);
  });

  it('unknown names at run time name the known ones and the registry file', () => {
    expect(() => portFor('billing' as 'api', at({}))).toThrow(UnknownServiceError);
    expect(() => portFor('billing' as 'api', at({}))).toThrow(/Unknown service "billing": \/test\/registry\.json lists site, api/);
  });

  it('unknown literal names are a compile error', () => {
    // @ts-expect-error "billing" is not a registry service name (checked by the typecheck target)
    const check = () => portFor('billing', at({}));
    expect(check).toThrow(UnknownServiceError);
  });
});

describe('urls and service env', () => {
  it('uses ws:// for websocket services and the resolved port', () => {
    expect(urlFor('realtime', at({ HYPERNODE_INSTANCE: '1' }))).toBe('ws://localhost:3103');
    expect(urlFor('api', at({}))).toBe('http://localhost:3002');
    expect(urlFor('postgres', at({}))).toBe('postgresql://localhost:5432');
    expect(urlFor('redis', at({}))).toBe('redis://localhost:6379');
  });

  it('HYPERNODE_NETWORK=compose: every peer URL names the compose service, on the resolved port', () => {
    const compose = at({ HYPERNODE_NETWORK: 'compose', HYPERNODE_PROFILE: 'production' });
    expect(urlFor('api', compose)).toBe('http://api:3002');
    expect(urlFor('realtime', compose)).toBe('ws://realtime:3003');
    expect(urlFor('redis', compose)).toBe('redis://redis:6379');
    expect(hostFor('gpu-worker', compose)).toBe('gpu-worker');
    expect(listServices(compose).map((s) => s.host)).toEqual(registry.services.map((s) => s.name));
    // Profiles and instances still move the port, whatever the host.
    expect(urlFor('api', at({ HYPERNODE_NETWORK: 'compose', HYPERNODE_INSTANCE: '1' }))).toBe('http://api:3102');
    // The option beats the environment, like profile and instance.
    expect(urlFor('api', at({ HYPERNODE_NETWORK: 'compose' }, { network: 'local' }))).toBe('http://localhost:3002');
  });

  it('<NAME>_HOST moves one service, on any network, and is checked', () => {
    expect(urlFor('api', at({ API_HOST: '10.0.0.5' }))).toBe('http://10.0.0.5:3002');
    expect(urlFor('api', at({ API_HOST: '127.0.0.1', HYPERNODE_NETWORK: 'compose' }))).toBe('http://127.0.0.1:3002');
    expect(urlFor('realtime', at({ API_HOST: '127.0.0.1', HYPERNODE_NETWORK: 'compose' }))).toBe('ws://realtime:3003');
    expect(urlFor('gpu-worker', at({ GPU_WORKER_HOST: '::1' }))).toBe('http://[::1]:8080');
    expect(() => urlFor('api', at({ API_HOST: 'http://api' }))).toThrow(/API_HOST="http:\/\/api" is not valid: expected a host name or IP address/);
  });

  it('a bad HYPERNODE_NETWORK stops every resolution, naming the valid values', () => {
    expect(() => urlFor('api', at({ HYPERNODE_NETWORK: 'swarm' }))).toThrow(/HYPERNODE_NETWORK="swarm" is not valid: expected one of local, compose, kubernetes/);
    expect(() => bindHostFor(at({ HYPERNODE_NETWORK: 'k8s' }))).toThrow(PortConfigError);
  });

  it('browser-facing URLs and origins stay on localhost under compose', () => {
    const compose = at({ HYPERNODE_NETWORK: 'compose', SITE_HOST: 'site.internal' });
    expect(publicUrlFor('api', compose)).toBe('http://localhost:3002');
    expect(browserOrigins(compose)).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    const site = serviceEnv('site', compose);
    expect(site).toMatchObject({ HYPERNODE_NETWORK: 'compose', API_URL: 'http://api:3002', REALTIME_URL: 'ws://realtime:3003', VITE_BACKEND_API_URL: 'http://localhost:3002', VITE_BACKEND_WS_URL: 'ws://localhost:3003', NEXT_PUBLIC_API_URL: 'http://localhost:3002' });
    const worker = serviceEnv('gpu-worker', compose);
    expect(worker).toMatchObject({ API_URL: 'http://api:3002', REDIS_URL: 'redis://redis:6379', POSTGRES_URL: 'postgresql://postgres:5432' });
    expect(worker.VITE_BACKEND_API_URL).toBeUndefined();
  });

  it('gives a frontend its port and the backend URLs under the names the seed uses', () => {
    const env = serviceEnv('site', at({ HYPERNODE_PROFILE: 'staging' }));
    expect(env).toMatchObject({ PORT: '4000', HYPERNODE_PROFILE: 'staging', HYPERNODE_NETWORK: 'local', API_URL: 'http://localhost:4002', VITE_BACKEND_API_URL: 'http://localhost:4002', VITE_BACKEND_WS_URL: 'ws://localhost:4003' });
    expect(env.SITE_URL).toBeUndefined();
  });
});
