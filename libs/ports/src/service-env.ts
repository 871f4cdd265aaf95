import { envPrefix, listServices, resolveSettings, type ResolveOptions } from './resolve.js';
import type { ServiceName } from './service-names.js';

/**
 * The environment one service is started with: its own PORT and HOST, the profile and
 * instance, and the URL of every other service as `<NAME>_URL` (plus the names the seed's
 * frontends and backends read: VITE_BACKEND_*, NEXT_PUBLIC_*, DATABASE_URL, REDIS_URL).
 */
export function serviceEnv(name: ServiceName, options: ResolveOptions = {}): Record<string, string> {
  const services = listServices(options);
  const self = services.find((s) => s.name === name);
  if (!self) throw new Error(`serviceEnv: "${name}" is not in the registry`);
  const { profile, instance } = resolveSettings(options);
  const env: Record<string, string> = {
    HYPERNODE_SERVICE: name,
    HYPERNODE_PROFILE: profile,
    HYPERNODE_INSTANCE: String(instance),
    PORT: String(self.port),
  };
  for (const peer of services) {
    if (peer.name !== name) env[`${envPrefix(peer.name)}_URL`] = peer.url;
  }
  const url = (peer: string) => services.find((s) => s.name === peer)?.url;
  const aliases: Record<string, string | undefined> = {
    VITE_BACKEND_API_URL: self.kind === 'frontend' ? url('api') : undefined,
    VITE_BACKEND_WS_URL: self.kind === 'frontend' ? url('realtime') : undefined,
    NEXT_PUBLIC_API_URL: self.kind === 'frontend' ? url('api') : undefined,
    NEXT_PUBLIC_WS_URL: self.kind === 'frontend' ? url('realtime') : undefined,
  };
  for (const [key, value] of Object.entries(aliases)) if (value) env[key] = value;
  return env;
}

/**
 * Browser origins allowed to call the backend (CORS, WebSocket Origin check): every registry
 * frontend under localhost and 127.0.0.1 for the options' profile and instance, plus the
 * comma-separated HYPERNODE_CORS_ORIGINS.
 */
export function browserOrigins(options: ResolveOptions = {}): string[] {
  const env = options.env ?? process.env;
  const frontends = listServices(options).filter((s) => s.kind === 'frontend');
  return [
    ...frontends.flatMap((s) => [s.url, s.url.replace('localhost', '127.0.0.1')]),
    ...(env.HYPERNODE_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
  ];
}
