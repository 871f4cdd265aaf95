import { fastifyStarter, serviceMain } from '@hypernode/service-kit';

await serviceMain('api', fastifyStarter(async () => (await import('./app.js')).buildApp({ logger: true })));
