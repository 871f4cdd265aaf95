import type { Bench } from '../lib/figure.js';
import { apiBench } from './api.js';
import { coldStartBench } from './cold-start.js';
import { eventsBench } from './events.js';
import { memoryBench } from './memory.js';
import { nxCacheBench } from './nx-cache.js';
import { portsBench } from './ports.js';
import { schedulingBench } from './scheduling.js';
import { throughputBench } from './throughput.js';

/** Every bench, in the order `npm run bench` runs them. */
export const BENCHES: Bench[] = [apiBench, memoryBench, eventsBench, schedulingBench, throughputBench, portsBench, coldStartBench, nxCacheBench];
