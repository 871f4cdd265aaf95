import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { serviceEntry } from '@hypernode/ports';
import { ROOT } from './helpers.js';

describe('docker-compose.yml', () => {
  it('publishes postgres and redis on their registry ports', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { ports: string[] }> };
    for (const name of ['postgres', 'redis'] as const) {
      const { port } = serviceEntry(name);
      expect(compose.services[name]!.ports, name).toEqual([`${port}:${port}`]);
    }
  });
});
