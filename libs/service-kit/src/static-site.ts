import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import { FRONTEND_CONFIG_PATH, frontendConfigScript, type FrontendConfig } from './frontend-config.js';

/** What a Vite frontend's production server serves. */
export interface SiteServerOptions {
  /** The registry service it is (for messages). */
  service: string;
  /** Folder of the static build (`index.html`, `assets/`), e.g. dist/apps/site/public. */
  root: string;
  /** Backend URLs handed to the browser in /config.js, read from the environment at start-up. */
  config: FrontendConfig;
  /** Fastify logger; default off. */
  logger?: boolean;
}

/** The static build is missing or incomplete. */
export class SiteBuildMissingError extends Error {
  readonly code = 'E_SITE_BUILD_MISSING';
  constructor(
    readonly service: string,
    readonly root: string,
  ) {
    super(`${service} cannot start: ${join(root, 'index.html')} does not exist. Fix: build it with \`npx nx run ${service}:build\` (it writes dist/apps/${service}/public beside main.js).`);
    this.name = 'SiteBuildMissingError';
  }
}

/**
 * A Vite frontend's production server (it never listens; the app's server/main.ts does): the static build with
 * `/config.js` answered from `config`, so one build runs in every environment. Hashed assets
 * are cached for a year, everything else is revalidated; an unknown path that a browser
 * navigates to gets index.html, any other unknown path a 404.
 */
export async function buildSiteServer(options: SiteServerOptions): Promise<FastifyInstance> {
  if (!existsSync(join(options.root, 'index.html'))) throw new SiteBuildMissingError(options.service, options.root);
  const app = Fastify({ logger: options.logger ?? false });
  const script = frontendConfigScript(options.config);
  app.get(FRONTEND_CONFIG_PATH, async (_request, reply) => reply.header('cache-control', 'no-store').type('text/javascript; charset=utf-8').send(script));
  await app.register(fastifyStatic, {
    root: options.root,
    // Vite names every asset by its content hash: cache it for good; index.html must be revalidated.
    setHeaders: (reply, path) => void reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
  app.setNotFoundHandler(async (request, reply) => {
    const navigation = request.method === 'GET' && (request.headers.accept ?? '').includes('text/html');
    if (navigation) return reply.header('cache-control', 'no-cache').sendFile('index.html');
    return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `${request.method} ${request.url} is not part of ${options.service}` });
  });
  return app;
}
