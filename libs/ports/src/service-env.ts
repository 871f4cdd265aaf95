import { envPrefix, listServices, resolveSettings, type ResolveOptions } from './resolve.js';
import type { ServiceName } from './service-names.js';

/**
 * The environment one service is started with: its own PORT, the profile, instance and
 * network, and the URL of every other service as `<NAME>_URL` on the host its peers reach it
 * on (localhost, or the compose service name under `HYPERNODE_NETWORK=compose`; stack tools only
 * on the local network). A frontend
 * also gets the browser-facing backend URLs under the names the seed's frontends read
 * (VITE_BACKEND_*, NEXT_PUBLIC_*): those stay on localhost whatever the network.
 */
export function serviceEnv(name: ServiceName, options: ResolveOptions = {}): Record<string, string> {
  const services = listServices(options);
  const self = services.find((s) => s.name === name);
  if (!self) throw new Error(`serviceEnv: "${name}" is not in the registry`);
  const { profile, instance, network } = resolveSettings(options);
  const env: Record<string, string> = {
    HYPERNODE_SERVICE: name,
    HYPERNODE_PROFILE: profile,
    HYPERNODE_INSTANCE: String(instance),
    HYPERNODE_NETWORK: network,
    PORT: String(self.port),
  };
  for (const peer of services) {
    // A stack tool (the `hypernode up` supervisor) runs only beside a local stack: compose and clusters have none.
    if (peer.kind === 'tool' && network !== 'local') continue;
    if (peer.name !== name) env[`${envPrefix(peer.name)}_URL`] = peer.url;
  }
  const url = (peer: string) => services.find((s) => s.name === peer)?.publicUrl;
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
 * frontend's public URL under localhost and 127.0.0.1 for the options' profile and instance
 * (never a compose host name: browsers do not see those), plus the comma-separated
 * HYPERNODE_CORS_ORIGINS.
 */
export function browserOrigins(options: ResolveOptions = {}): string[] {
  const env = options.env ?? process.env;
  const frontends = listServices(options).filter((s) => s.kind === 'frontend');
  return [
    ...frontends.flatMap((s) => [s.publicUrl, s.publicUrl.replace('localhost', '127.0.0.1')]),
    ...(env.HYPERNODE_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
  ];
}
