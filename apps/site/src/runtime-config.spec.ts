import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FRONTEND_CONFIG_GLOBAL, frontendConfigScript } from '@hypernode/service-kit/frontend-config';
import { CONFIG_GLOBAL, runtimeConfig } from './runtime-config.js';

describe('runtimeConfig', () => {
  it('reads what the servers\' /config.js sets', () => {
    expect(CONFIG_GLOBAL).toBe(FRONTEND_CONFIG_GLOBAL);
    const window: Record<string, unknown> = {};
    runInNewContext(frontendConfigScript({ apiUrl: 'http://a.test', wsUrl: 'ws://b.test' }), { window });
    expect(runtimeConfig(window)).toEqual({ apiUrl: 'http://a.test', wsUrl: 'ws://b.test' });
  });

  it('is empty when the script did not load', () => {
    expect(runtimeConfig({})).toEqual({});
    expect(runtimeConfig({ [CONFIG_GLOBAL]: 'nonsense' })).toEqual({});
  });
});
