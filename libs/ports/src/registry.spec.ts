import { describe, expect, it } from 'vitest';
import { loadRegistry } from './registry.js';
import { SERVICE_NAMES } from './service-names.js';

describe('workspace registry', () => {
  it('is valid and lists exactly the names of service-names.ts', () => {
    const registry = loadRegistry();
    expect(registry.services.map((s) => s.name)).toEqual([...SERVICE_NAMES]);
  });
});
