// A Node app as the serve target runs one (serve-bundle.spec): runService (which starts tracing
// when OTEL_EXPORTER_OTLP_ENDPOINT is set, as the preload does) around a Fastify server.
import Fastify from 'fastify';
import { listenHttp, runService } from '@hypernode/service-kit';

void runService('realtime', async ({ port, host }) => {
  const app = Fastify();
  app.get('/hello', async () => ({ hello: 'bundled' }));
  await app.ready();
  const listening = await listenHttp(app.server, port, host);
  console.log('listening');
  return {
    close: async () => {
      await app.close();
      await listening.close();
    },
  };
});
