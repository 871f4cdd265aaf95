import { fastifyStarter, serviceMain } from '@hypernode/service-kit';

await serviceMain('gpu-worker', fastifyStarter(async () => (await import('./app.js')).buildApp({ logger: true })));
