import type { FastifyInstance } from 'fastify';
import { checkAll } from '@hypernode/health';
import { listServices } from '@hypernode/ports';

/** `/services`: every registry service with its port, URL and live health (the dashboard's source). */
export function servicesRoutes(app: FastifyInstance): void {
  app.get('/services', async () => {
    const services = listServices();
    const health = await checkAll(services, { timeoutMs: 1500 });
    return services.map((s, i) => ({ name: s.name, kind: s.kind, port: s.port, url: s.url, purpose: s.purpose, required: s.required, health: { status: health[i]!.status, latencyMs: health[i]!.latencyMs, detail: health[i]!.detail, checkedAt: new Date().toISOString() } }));
  });
}
