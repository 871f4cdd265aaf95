import { describe, expect, it } from 'vitest';
import { applyHealth, upsert, type ServiceRow } from './api.js';

const row = (name: string, status: 'up' | 'down'): ServiceRow => ({ name, kind: 'http', port: 1, url: '', purpose: '', required: true, health: { status, latencyMs: 1, detail: '', checkedAt: '' } });

describe('dashboard state', () => {
  it('applies a health sweep to the rows it names and leaves the others', () => {
    const next = applyHealth([row('api', 'up'), row('redis', 'up')], [{ name: 'api', port: 1, status: 'down', latencyMs: 3, detail: 'connection refused' }]);
    expect(next.map((s) => [s.name, s.health.status, s.health.detail])).toEqual([
      ['api', 'down', 'connection refused'],
      ['redis', 'up', ''],
    ]);
  });

  it('replaces a known record in place and puts a new one first', () => {
    const list = [{ id: 'a', v: 1 }, { id: 'b', v: 1 }];
    expect(upsert(list, { id: 'b', v: 2 })).toEqual([{ id: 'a', v: 1 }, { id: 'b', v: 2 }]);
    expect(upsert(list, { id: 'c', v: 1 }).map((x) => x.id)).toEqual(['c', 'a', 'b']);
  });
});
