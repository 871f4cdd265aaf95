import { describe, expect, it } from 'vitest';
import { formatRoute, logsLink, parseRoute, traceLink } from './route.js';

describe('dashboard routes', () => {
  it('is the services view for no fragment, the sign-in fragment and anything unknown', () => {
    for (const hash of ['', '#', '#sign-in=hnt_abc', '#/nope', '#/logsx']) expect(parseRoute(hash).view).toBe('services');
  });

  it('round-trips the logs view with services, level and search', () => {
    const link = logsLink(['api', 'realtime'], 'error', '/timeout \\d+/i');
    expect(link.startsWith('#/logs?services=api,realtime&level=error&q=')).toBe(true);
    expect(parseRoute(link)).toEqual({ view: 'logs', services: ['api', 'realtime'], level: 'error', q: '/timeout \\d+/i' });
  });

  it('ignores a level that is not a pino level', () => {
    expect(parseRoute('#/logs?level=loud').level).toBeUndefined();
  });

  it('opens a trace by id and filters traces by deployment', () => {
    expect(parseRoute(traceLink('abc123'))).toMatchObject({ view: 'traces', traceId: 'abc123' });
    expect(parseRoute(formatRoute({ view: 'traces', deploymentId: 'd-1' }))).toMatchObject({ view: 'traces', deploymentId: 'd-1' });
    expect(formatRoute({ view: 'deployments' })).toBe('#/deployments');
  });
});
