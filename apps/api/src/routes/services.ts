import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { servicesHealthKey, type ServicesHealthSnapshot } from '@hypernode/events';
import { listServices } from '@hypernode/ports';

/**
 * `/services` (`read`): every registry service with its port, URL and the automation engine's latest
 * health sweep (with its age) — one Redis read, instead of probing every service on each request.
 * Without a sweep (automation not running) each service says `unknown` and why.
 */
export function servicesRoutes(app: FastifyInstance, deps: { redis: Redis; redisPrefix: string }): void {
  app.get('/services', { config: { auth: 'read' } }, async () => {
    const snapshot = parseSnapshot(await deps.redis.get(servicesHealthKey(deps.redisPrefix)));
    const ageS = snapshot ? Math.max(0, Math.round((Date.now() - Date.parse(snapshot.checkedAt)) / 100) / 10) : null;
    return listServices().map((s) => {
      const h = snapshot?.services.find((x) => x.name === s.name);
      const health = h
        ? { status: h.status, latencyMs: h.latencyMs, detail: h.detail, checkedAt: snapshot!.checkedAt, ageS }
        : { status: 'unknown' as const, latencyMs: 0, detail: 'no recent health sweep: the automation engine runs it (is automation up?)', checkedAt: null, ageS: null };
      return { name: s.name, kind: s.kind, port: s.port, url: s.url, purpose: s.purpose, required: s.required, health };
    });
  });
}

/** The stored sweep, or undefined when there is none or it is not one (a bad value is "no sweep", not a 500). */
function parseSnapshot(raw: string | null): ServicesHealthSnapshot | undefined {
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as ServicesHealthSnapshot;
    return Array.isArray(value?.services) && typeof value.checkedAt === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
