import { fastifyStarter, serviceMain } from '@hypernode/service-kit';

await serviceMain('automation', fastifyStarter(async () => (await import('./app.js')).buildApp({ logger: true })));
