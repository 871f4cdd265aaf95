import { serviceMain } from '@hypernode/service-kit';

// Loaded after the port check, so a taken port is reported before the app's modules load.
await serviceMain('api', async (target) => (await import('./server.js')).startApi(target));
