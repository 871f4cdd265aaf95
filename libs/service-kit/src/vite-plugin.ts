import type { Server } from 'node:http';
import type { Connect, Plugin, PreviewOptions, ServerOptions } from 'vite';
import { bindHostFor, LOOPBACK_HOST, portFor, type ServiceName } from '@hypernode/ports';
import { assertPortFree } from './bind.js';
import { frontendConfig, frontendInstance, frontendConfigScript, FRONTEND_CONFIG_PATH } from './frontend-config.js';
import { addIpv6Loopback, closeServers } from './listen-http.js';

/** Options of the registry Vite plugin. */
export interface RegistryVitePluginOptions {
  /** The registry service this Vite app is, e.g. `site`. */
  service: ServiceName;
  /** Environment to resolve from; default process.env (read when a server starts). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The port registry for a Vite app, so `vite`, `vite preview`, Nx's inferred `dev`/`preview`
 * targets and our own `serve` all behave alike:
 * - the dev and preview servers listen on the service's registry port (`<SERVICE>_PORT`, the
 *   profile and instance apply; a port set explicitly in the config wins) with `strictPort`,
 *   and on the registry's bind host — `localhost` meaning BOTH 127.0.0.1 and ::1;
 * - a taken port stops the server before it binds, with one line naming the holder and the fix
 *   (`PortInUseError`, as every Node service prints);
 * - `index.html` loads `/config.js` first, and both servers answer it with the backend URLs for
 *   the environment they run in (see frontend-config.ts); a build only references it, so the
 *   production server injects the URLs at run time.
 * Building never reads the registry or the environment: the output is the same everywhere.
 */
export function registryVitePlugin(options: RegistryVitePluginOptions): Plugin {
  const env = () => options.env ?? process.env;
  /** True when the resolved bind host is `localhost`: Vite binds 127.0.0.1 and the plugin mirrors ::1. */
  let loopback = false;
  let base = '/';

  function listenOptions(given: ServerOptions | PreviewOptions | undefined): { port: number; host: string; strictPort: true } {
    const e = env();
    const port = given?.port ?? portFor(options.service, { env: e, alone: !e.HYPERNODE_STACK });
    const host = typeof given?.host === 'string' ? given.host : bindHostFor({ env: e });
    loopback = host === LOOPBACK_HOST;
    return { port, host: loopback ? '127.0.0.1' : host, strictPort: true };
  }

  function claim(httpServer: Server | null, port: number | undefined): void {
    if (!httpServer || port === undefined) return; // middleware mode: the host app owns the port
    assertPortFree(options.service, port);
    if (loopback) mirrorIpv6(options.service, httpServer);
  }

  function configMiddleware(): Connect.NextHandleFunction {
    // Computed once, at start-up: a bad URL variable stops the server with its name and the fix.
    const script = frontendConfigScript({ ...frontendConfig(env()), ...frontendInstance(env()) });
    return (req, res, next) => {
      if (req.url?.split('?')[0] !== `${base}${FRONTEND_CONFIG_PATH.slice(1)}`) return next();
      res.setHeader('content-type', 'text/javascript; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      res.end(script);
    };
  }

  return {
    name: 'hypernode-registry',
    config(config, { command, isPreview }) {
      if (command !== 'serve') return undefined;
      return isPreview ? { preview: listenOptions(config.preview) } : { server: listenOptions(config.server) };
    },
    configResolved(config) {
      base = config.base.endsWith('/') ? config.base : `${config.base}/`;
    },
    configureServer(server) {
      claim(server.httpServer as Server | null, server.config.server.port);
      server.middlewares.use(configMiddleware());
    },
    configurePreviewServer(server) {
      claim(server.httpServer as Server, server.config.preview.port);
      server.middlewares.use(configMiddleware());
    },
    transformIndexHtml: {
      order: 'post',
      handler: () => [{ tag: 'script', attrs: { src: `${base}${FRONTEND_CONFIG_PATH.slice(1)}` }, injectTo: 'head' }],
    },
  };
}

/**
 * Once Vite listens on 127.0.0.1, binds ::1 on the same port too (Vite binds only the one address
 * `localhost` resolves to first) and closes it with Vite's server.
 */
function mirrorIpv6(service: string, httpServer: Server): void {
  httpServer.once('listening', () => {
    addIpv6Loopback(httpServer).then(
      (v6) => {
        if (!v6) return;
        if (!httpServer.listening) return void closeServers([v6]);
        httpServer.once('close', () => void closeServers([v6]));
      },
      (error: Error) => console.error(`${service}: listening on 127.0.0.1 only, ::1 could not be bound (${error.message}); run \`npx hypernode ports check\``),
    );
  });
}
