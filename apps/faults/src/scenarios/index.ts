import { deadlockRounds } from './deadlock-rounds.js';
import { engineKill } from './engine-kill.js';
import { hostileInput } from './hostile-input.js';
import { postgresBlackhole } from './postgres-blackhole.js';
import { postgresRestart } from './postgres-restart.js';
import { redisOutage } from './redis-outage.js';
import { redisRestart } from './redis-restart.js';
import { replayRss } from './replay-rss.js';
import { sigtermUnderLoadScenario } from './sigterm-under-load.js';
import { starvation } from './starvation.js';
import type { Scenario } from './types.js';
import { workerKill } from './worker-kill.js';

/** Every scenario, in the order the runner runs them. */
export const SCENARIOS: Scenario[] = [redisOutage, postgresBlackhole, postgresRestart, redisRestart, workerKill, engineKill, deadlockRounds, starvation, replayRss, hostileInput, sigtermUnderLoadScenario];
