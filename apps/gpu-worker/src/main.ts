import { portFor } from '@hypernode/ports';
import { serviceMain } from '@hypernode/service-kit';

// GPU_WORKER_INDEX=N runs the N-th worker on the registry port + N (a second worker: 8081).
const index = process.env.GPU_WORKER_INDEX;
if (index && !process.env.GPU_WORKER_PORT) {
  if (!/^\d{1,2}$/.test(index)) {
    console.error(`GPU_WORKER_INDEX=${JSON.stringify(index)} is not valid: expected a whole number 0–99`);
    process.exit(1);
  }
  process.env.GPU_WORKER_PORT = String(portFor('gpu-worker', { alone: true }) + Number(index));
}

// Loaded after the port check, so a taken port is reported before the worker's modules load.
await serviceMain('gpu-worker', async (target) => (await import('./server.js')).startGpuWorker(target));
