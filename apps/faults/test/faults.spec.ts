import { describe, expect, it } from 'vitest';
import { formatLine } from '../src/report.js';
import { SCENARIOS } from '../src/scenarios/index.js';

// Real processes, real signals: each scenario starts its own PostgreSQL, redis-server, proxies
// and services, so each gets minutes, not the default 20 s.
describe('fault suite (small size)', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.description}`, async () => {
      const result = await scenario.run('small');
      expect(result.pass, formatLine(result)).toBe(true);
    }, 180_000);
  }
});
