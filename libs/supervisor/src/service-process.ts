import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to start one service: a command run in its own process group. */
export interface LaunchSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** How one run ended. `requested`: the supervisor stopped it; otherwise it exited on its own. */
export interface RunExit {
  run: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  requested: boolean;
}

/** Longest line kept whole; longer output lines are cut (a runaway line must not eat the buffer). */
export const MAX_LINE_CHARS = 16_384;

/** True while any process of the group exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* the group is gone */
  }
}

async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!groupAlive(pgid)) return true;
    await sleep(25);
  }
  return !groupAlive(pgid);
}

/**
 * One service's process: each start spawns the command as the leader of a new process group
 * (so one signal reaches Nx, its executor and the app), reads stdout and stderr line by line,
 * and reports the exit. A run that exits on its own has the rest of its group killed at once,
 * so a crashed service never leaves a child holding its port.
 */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<RunExit> | undefined;
  private stopRequested = false;
  /** Number of the current (or last) run; -1 before the first start. */
  run = -1;

  constructor(
    readonly name: string,
    private readonly launch: () => LaunchSpec,
    private readonly onLine: (run: number, stream: 'stdout' | 'stderr', text: string) => void,
    private readonly onExit: (exit: RunExit) => void,
  ) {}

  get pid(): number | null {
    return this.running ? (this.child?.pid ?? null) : null;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns a new run; throws when one is running. Resolves once spawned (or rejects when the command cannot start). */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.child!.pid})`);
    const spec = this.launch();
    const run = (this.run += 1);
    this.stopRequested = false;
    const child = spawn(spec.command, [...spec.args], { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    for (const stream of ['stdout', 'stderr'] as const) {
      const lines = createInterface({ input: child[stream]!, crlfDelay: Infinity });
      lines.on('line', (text) => this.onLine(run, stream, text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}… [cut: ${text.length} characters]` : text));
    }
    this.exited = new Promise<RunExit>((resolve) => {
      child.once('exit', (code, signal) => {
        const exit: RunExit = { run, code, signal, requested: this.stopRequested };
        // Whatever the leader left behind in its group (an app whose wrapper died) goes too.
        if (child.pid) signalGroup(child.pid, 'SIGKILL');
        this.onExit(exit);
        resolve(exit);
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new Error(`${this.name} could not start: ${spec.command} ${spec.args.join(' ')}: ${error.message}`)));
    });
  }

  /**
   * SIGTERM to the whole group, up to `graceMs` for it to go, then SIGKILL; resolves once no
   * process of the group is left (bounded by a further 5 s). No-op when not running.
   */
  async stop(graceMs: number): Promise<RunExit | undefined> {
    const child = this.child;
    if (!child?.pid) return undefined;
    const pgid = child.pid;
    this.stopRequested = true;
    if (this.running) signalGroup(pgid, 'SIGTERM');
    if (!(await waitGroupGone(pgid, graceMs))) signalGroup(pgid, 'SIGKILL');
    await waitGroupGone(pgid, 5_000);
    return this.exited;
  }
}
