import { serviceMain } from '@hypernode/service-kit';

// Loaded after the port check, so a taken port is reported before the engine's modules load.
await serviceMain('automation', async (target) => (await import('./server.js')).startAutomation(target));
