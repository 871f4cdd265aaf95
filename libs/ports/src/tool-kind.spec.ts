import { describe, expect, it } from 'vitest';
import { isAppKind, isShiftedKind } from './kinds.js';
import { listServices, portFor } from './resolve.js';
import { serviceEnv } from './service-env.js';

describe('kind tool (the `hypernode up` supervisor)', () => {
  it('is not an app, but its port moves with the profile and instance like the apps', () => {
    expect(isAppKind('tool')).toBe(false);
    expect(isShiftedKind('tool')).toBe(true);
    const base = portFor('supervisor', { env: {} });
    expect(portFor('supervisor', { env: {}, instance: 41 })).toBe(base + 4100);
    expect(portFor('supervisor', { env: {}, profile: 'staging' })).toBe(base + 1000);
    expect(listServices({ env: {} }).find((s) => s.name === 'supervisor')).toMatchObject({ kind: 'tool', required: false, health: { type: 'http', path: '/health' } });
  });

  it('is a peer URL on the local network only (compose and clusters run no supervisor)', () => {
    expect(serviceEnv('api', { env: {} }).SUPERVISOR_URL).toMatch(/^http:\/\/localhost:\d+$/);
    expect(serviceEnv('api', { env: {}, network: 'compose' }).SUPERVISOR_URL).toBeUndefined();
  });
});
