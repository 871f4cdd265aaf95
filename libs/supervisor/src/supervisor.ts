import type { LogLine, SupervisedService, SupervisedState } from '@hypernode/events';
import { LogStore } from './log-store.js';
import { probeService, type ProbeSpec } from './probe.js';
import { clearSamples, processTrees, sampleTree } from './resources.js';
import { ServiceProcess, type LaunchSpec, type RunExit } from './service-process.js';

/** One service the supervisor owns. */
export interface SupervisedSpec {
  name: string;
  kind: string;
  /** The port it listens on: checked free after a stop. */
  port: number;
  endpoints: { name: string; url: string }[];
  probe: ProbeSpec;
  /** The command of each run (called per start, so the environment is fresh). */
  launch: () => LaunchSpec;
}

export interface SupervisorOptions {
  services: readonly SupervisedSpec[];
  logs?: LogStore;
  /** Probe period (health and /ready); default 1 s. */
  probeMs?: number;
  /** CPU/memory sampling period; default 2 s. */
  sampleMs?: number;
  /** SIGTERM → SIGKILL grace on stop; default 10 s. */
  stopGraceMs?: number;
  /** Every line as stored, with the raw text it came from (the CLI echoes it to the terminal). */
  echo?: (line: LogLine, raw: string) => void;
  /**
   * Reads the app's own exit from a wrapper's output line (Nx exits 1 whatever code its task
   * exited with; the serve executor prints the task's code): the reported exit is then the app's.
   */
  exitFromOutput?: (text: string) => { code: number | null; signal: string | null } | undefined;
  /** Who holds a TCP port now (undefined = free); used to verify a stop freed the port. */
  portHolder?: (port: number) => string | undefined;
}

/** A refused action: `statusCode` is what the HTTP layer answers (404 unknown, 409 wrong state). */
export class SupervisorActionError extends Error {
  constructor(
    readonly statusCode: 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'SupervisorActionError';
  }
}

interface Entry {
  spec: SupervisedSpec;
  proc: ServiceProcess;
  state: SupervisedState;
  detail: string;
  dependency?: string;
  exitCode: number | null;
  exitSignal: string | null;
  starts: number;
  startedAt: string | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  /** An action (stop/start/restart) is under way: probes and other actions wait. */
  busy?: string;
  probing?: boolean;
  /** The app's own exit as its wrapper printed it during the current run. */
  appExit?: { run: number; code: number | null; signal: string | null };
}

export type SupervisorAction = 'start' | 'stop' | 'restart';

/**
 * Owns the stack's service processes and keeps honest state for each:
 * starting (process up, health not answering yet) → ready (health answers; `/ready` 200 or absent)
 * ⇄ unhealthy (answered before and no longer does, or `/ready` 503 naming the dependency);
 * crashed (exited on its own: exit code or signal) and stopped (on request) from any state.
 * A crashed service stays crashed — no automatic restart, so a service that fails at start
 * does not spin the CPU or flood the buffer; a person restarts it (dashboard or API) once
 * the cause is fixed.
 */
export class Supervisor {
  readonly logs: LogStore;
  private readonly entries = new Map<string, Entry>();
  private readonly stateListeners = new Set<(service: SupervisedService) => void>();
  private timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(private readonly options: SupervisorOptions) {
    this.logs = options.logs ?? new LogStore();
    for (const spec of options.services) {
      const proc = new ServiceProcess(
        spec.name,
        spec.launch,
        (run, stream, text) => {
          const line = this.logs.append(spec.name, run, stream, text);
          options.echo?.(line, text);
          const appExit = options.exitFromOutput?.(text);
          if (appExit) this.entries.get(spec.name)!.appExit = { run, ...appExit };
        },
        (exit) => this.exited(spec.name, exit),
      );
      this.entries.set(spec.name, { spec, proc, state: 'stopped', detail: 'not started', exitCode: null, exitSignal: null, starts: 0, startedAt: null, cpuPercent: null, memoryBytes: null });
    }
  }

  /** Names of the supervised services, in registry order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  /** Starts the named services (default: every one) and, on the first call, the probe and sampling loops. */
  async startAll(names: readonly string[] = this.names()): Promise<void> {
    await Promise.all(names.map((name) => this.spawn(this.entry(name))));
    if (this.timers.length > 0) return;
    this.timers.push(setInterval(() => void this.probeAll(), this.options.probeMs ?? 1_000));
    this.timers.push(setInterval(() => void this.sampleAll(), this.options.sampleMs ?? 2_000));
    for (const t of this.timers) t.unref();
  }

  /** One service as the contract shows it. */
  service(name: string): SupervisedService {
    const e = this.entry(name);
    const { errorCount, warnCount } = this.logs.counts(name);
    return {
      name,
      kind: e.spec.kind,
      state: e.state,
      detail: e.detail,
      ...(e.dependency ? { dependency: e.dependency } : {}),
      exitCode: e.exitCode,
      exitSignal: e.exitSignal,
      restarts: Math.max(0, e.starts - 1),
      pid: e.proc.pid,
      startedAt: e.startedAt,
      endpoints: e.spec.endpoints,
      cpuPercent: e.cpuPercent,
      memoryBytes: e.memoryBytes,
      errorCount,
      warnCount,
    };
  }

  list(): SupervisedService[] {
    return this.names().map((n) => this.service(n));
  }

  /** Calls `listener` with the service whenever its state or detail changes; returns the unsubscribe. */
  onState(listener: (service: SupervisedService) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (!e) throw new SupervisorActionError(404, `no supervised service "${name}": use one of ${this.names().join(', ')}`);
    return e;
  }

  private set(e: Entry, state: SupervisedState, detail: string, dependency?: string): void {
    if (e.state === state && e.detail === detail && e.dependency === dependency) return;
    e.state = state;
    e.detail = detail;
    e.dependency = dependency;
    const snapshot = this.service(e.spec.name);
    for (const l of this.stateListeners) l(snapshot);
  }

  private async spawn(e: Entry): Promise<void> {
    e.starts += 1;
    e.exitCode = null;
    e.exitSignal = null;
    e.cpuPercent = null;
    e.memoryBytes = null;
    try {
      await e.proc.start();
    } catch (error) {
      this.set(e, 'crashed', (error as Error).message);
      return;
    }
    e.startedAt = new Date().toISOString();
    this.set(e, 'starting', 'process up; health not answering yet');
  }

  private exited(name: string, exit: RunExit): void {
    const e = this.entries.get(name)!;
    const app = e.appExit?.run === exit.run ? e.appExit : undefined;
    e.appExit = undefined;
    e.exitCode = app ? app.code : exit.code;
    e.exitSignal = app ? app.signal : exit.signal;
    e.startedAt = null;
    e.cpuPercent = null;
    e.memoryBytes = null;
    const how = e.exitSignal ? `killed by ${e.exitSignal}` : `exited with code ${e.exitCode}`;
    if (exit.requested) this.set(e, 'stopped', `stopped on request (${how})`);
    else this.set(e, 'crashed', `${how} (run ${exit.run}); not restarted automatically: restart it once the cause is fixed`);
  }

  /** Runs an action; throws SupervisorActionError for an unknown service or a wrong state. */
  async act(name: string, action: SupervisorAction): Promise<SupervisedService> {
    const e = this.entry(name);
    if (this.closed) throw new SupervisorActionError(409, `the supervisor is shutting down: ${name} cannot ${action}`);
    if (e.busy) throw new SupervisorActionError(409, `${name} is busy (${e.busy} under way): try again when it is done`);
    if (action === 'stop' && e.state === 'stopped') throw new SupervisorActionError(409, `${name} is already stopped: start it with POST /services/${name}/start`);
    if (action === 'start' && e.proc.running) throw new SupervisorActionError(409, `${name} is already running (${e.state}): use POST /services/${name}/restart to start it again`);
    e.busy = action;
    try {
      if (action !== 'start') await this.stopEntry(e);
      if (action !== 'stop') await this.spawn(e);
    } finally {
      e.busy = undefined;
    }
    return this.service(name);
  }

  private async stopEntry(e: Entry): Promise<void> {
    if (e.proc.running) {
      this.set(e, e.state, `stopping (SIGTERM to its process group, SIGKILL after ${Math.round((this.options.stopGraceMs ?? 10_000) / 1000)} s)`, e.dependency);
      await e.proc.stop(this.options.stopGraceMs ?? 10_000);
    } else {
      // Crashed: nothing runs; record that a person put it to rest.
      this.set(e, 'stopped', `stopped on request (after: ${e.detail})`);
    }
    const holder = await this.waitPortFree(e.spec.port);
    if (holder) this.set(e, 'stopped', `stopped, but port ${e.spec.port} is still held by ${holder}`);
  }

  /** Waits (≤ 5 s) until nobody listens on `port`; returns the holder when it stays taken. */
  private async waitPortFree(port: number): Promise<string | undefined> {
    const holderOf = this.options.portHolder;
    if (!holderOf) return undefined;
    const until = Date.now() + 5_000;
    let holder = holderOf(port);
    while (holder && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      holder = holderOf(port);
    }
    return holder;
  }

  private async probeAll(): Promise<void> {
    await Promise.all(
      [...this.entries.values()].map(async (e) => {
        if (!e.proc.running || e.busy || e.probing) return;
        const run = e.proc.run;
        e.probing = true;
        try {
          const result = await probeService(e.spec.probe);
          // The run ended (or another began, or an action started) while probing: the answer is stale.
          if (!e.proc.running || e.proc.run !== run || e.busy) return;
          if (result.state === 'ready') this.set(e, 'ready', result.detail);
          else if (result.state === 'unhealthy') this.set(e, 'unhealthy', result.detail, result.dependency);
          else if (e.state === 'starting') this.set(e, 'starting', `process up; health: ${result.detail}`);
          else this.set(e, 'unhealthy', `health ${e.spec.probe.healthPath}: ${result.detail}`);
        } finally {
          e.probing = false;
        }
      }),
    );
  }

  private async sampleAll(): Promise<void> {
    const running = [...this.entries.values()].filter((e) => e.proc.pid !== null);
    const trees = await processTrees(running.map((e) => e.proc.pid!));
    await Promise.all(
      running.map(async (e) => {
        const pid = e.proc.pid;
        if (pid === null) return;
        const usage = await sampleTree(trees.get(pid) ?? []);
        // A failed sample (a process of the tree exiting mid-read) keeps the last figures.
        if (e.proc.pid !== pid || !usage) return;
        e.cpuPercent = usage.cpuPercent;
        e.memoryBytes = usage.memoryBytes;
      }),
    );
  }

  /** Stops every service (in parallel, each with the grace) and the loops; idempotent. */
  async stopAll(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await Promise.all([...this.entries.values()].map((e) => (e.proc.running ? e.proc.stop(this.options.stopGraceMs ?? 10_000) : undefined)));
    clearSamples();
  }
}
