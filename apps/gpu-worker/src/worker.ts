import { digest } from '@hypernode/auth';
import type { NodeRecord } from '@hypernode/events';
import { SpanKind, withSpan } from '@hypernode/telemetry';
import type { ApiClient } from './api-client.js';
import type { WorkerConfig } from './config.js';
import { simulateJob } from './simulated-gpu.js';

/** A job the automation engine dispatches. */
export interface JobRequest {
  deploymentId: string;
  model: string;
  minVramGb: number;
}

/** Answer to a dispatch. */
export type AcceptOutcome = 'accepted' | 'duplicate' | 'busy' | 'too-big' | 'closing';

interface RunningJob extends JobRequest {
  progress: number;
  phase: string;
  controller: AbortController;
  done: Promise<void>;
  /** The work is over and only its outcome is being reported: the api already frees the node at that report, so the next job may come in. */
  reportingOutcome?: boolean;
}

/** Least time between two progress reports of one job (the outcome is never held back by it). */
const PROGRESS_EVERY_MS = 250;

/** Aborts a job because the worker is shutting down (hand it back, do not fail it). */
class HandBack extends Error {}

/**
 * The worker's service behaviour: registers with the api (retrying until it answers),
 * heartbeats, runs one job at a time on the simulated GPU, reports progress and outcome, and on
 * shutdown stops taking jobs, hands the current one back and deregisters.
 */
export class GpuWorker {
  node: NodeRecord | undefined;
  current: RunningJob | undefined;
  /** sha256 of the dispatch secret the api gave at registration: only the digest is kept, for POST /jobs. */
  dispatchDigest: Buffer | undefined;
  /** This node's own credential (`hnn_…`), in memory only: a restart registers again with the join token. */
  private credential: string | undefined;
  private accepting = true;
  private heartbeat: NodeJS.Timeout | undefined;
  private registering: Promise<void> | undefined;
  /** Every job not finished yet: the current one, and one that is still reporting its outcome. */
  private readonly jobs = new Set<Promise<void>>();

  private workerUrl = '';
  /** When the api last answered a registration or heartbeat (ms since epoch); /ready reads it. */
  lastApiAnswerAt: number | undefined;

  constructor(
    // Its URL comes with start(): the server passes config.advertiseUrl, tests the port they got.
    private readonly config: Omit<WorkerConfig, 'advertiseUrl'>,
    private readonly api: ApiClient,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Registers as reachable at `workerUrl` (retrying every second until the api answers), then heartbeats. */
  start(workerUrl: string = this.workerUrl): Promise<void> {
    this.workerUrl = workerUrl;
    return (this.registering ??= (async () => {
      while (this.accepting && !this.node) {
        try {
          const registration = await this.api.register(this.config.joinToken, { name: this.config.name, gpuModel: this.config.gpuModel, vramGb: this.config.vramGb, workerUrl: this.workerUrl });
          this.credential = registration.credential;
          this.dispatchDigest = digest(registration.dispatchSecret);
          this.node = registration.node;
          this.lastApiAnswerAt = Date.now();
          this.log(`registered as node ${this.node.id} (${this.config.name}, ${this.config.gpuModel}, ${this.config.vramGb} GB)`);
        } catch (error) {
          this.log(`cannot register with the api yet (${(error as Error).message}); retrying`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      if (!this.accepting) return;
      this.heartbeat = setInterval(() => void this.beat(), this.config.heartbeatMs);
      this.heartbeat.unref();
    })());
  }

  private async beat(): Promise<void> {
    if (!this.node || !this.credential) return;
    const used = this.current?.minVramGb ?? 0;
    await this.api.heartbeat(this.credential, this.node.id, { load: this.current ? 1 : 0, freeVramGb: Math.max(0, this.config.vramGb - used) }).then(() => {
      this.lastApiAnswerAt = Date.now();
    }, (error: Error & { status?: number }) => {
      this.log(`heartbeat failed: ${error.message}`);
      // The api forgot us or our credential (its database was reset, the node was revoked):
      // register again with the join token.
      if (error.status === 404 || error.status === 401) {
        this.node = undefined;
        this.credential = undefined;
        this.dispatchDigest = undefined;
        this.registering = undefined;
        clearInterval(this.heartbeat);
        void this.start();
      }
    });
  }

  /**
   * Throws unless the worker can take work: registered with the api, and the api answered a
   * heartbeat within three heartbeat intervals. The `/ready` probe.
   */
  assertReady(): void {
    if (!this.accepting) throw new Error('shutting down');
    if (!this.node) throw new Error(`not registered with the api at ${this.config.apiUrl} yet`);
    const silentMs = Date.now() - (this.lastApiAnswerAt ?? 0);
    if (silentMs > 3 * this.config.heartbeatMs) throw new Error(`the api has not answered a heartbeat for ${Math.round(silentMs / 1000)} s`);
  }

  /** Takes a job if free; the same deployment twice is a duplicate, not a second run. */
  accept(job: JobRequest): AcceptOutcome {
    if (!this.accepting) return 'closing';
    if (this.current?.deploymentId === job.deploymentId) return 'duplicate';
    // A job that is only reporting its outcome no longer holds the GPU: the engine dispatches a
    // new deployment here only once the api has freed this node, i.e. that outcome is in (or the
    // deployment was taken away from this node, which its report then learns with a 409/403).
    if (this.current && !this.current.reportingOutcome) return 'busy';
    if (job.minVramGb > this.config.vramGb) return 'too-big';
    const controller = new AbortController();
    const running: RunningJob = { ...job, progress: 0, phase: 'download', controller, done: Promise.resolve() };
    // Traced (the engine's POST /jobs carried a traceparent): the job's whole run is one span,
    // child of that request, with a span per report to the api. Off: the API's no-op spans.
    const done = withSpan('gpu-worker job', { kind: SpanKind.CONSUMER, deploymentId: job.deploymentId, attributes: { 'hypernode.model': job.model, 'hypernode.worker': this.config.name } }, () => this.run(running)).finally(() => {
      if (this.current === running) this.current = undefined;
      this.jobs.delete(done);
    });
    running.done = done;
    this.jobs.add(done);
    this.current = running;
    return 'accepted';
  }

  private async run(job: RunningJob): Promise<void> {
    const report = async (r: Parameters<ApiClient['report']>[2]) => {
      if (!this.credential) return this.log(`report for ${job.deploymentId} skipped: not registered with the api right now`);
      const call = withSpan(`gpu-worker report ${r.status}`, { deploymentId: job.deploymentId, attributes: r.progress !== undefined ? { 'hypernode.progress': r.progress } : {} }, () => this.api.report(this.credential!, job.deploymentId, r));
      await call.catch((error: Error & { status?: number }) => {
        // 409: the deployment moved on without us (cancelled); 403: it is assigned to another node now. Stop working on it.
        if (error.status === 409 || error.status === 403) job.controller.abort(new Error('deployment no longer ours'));
        else this.log(`report for ${job.deploymentId} failed: ${error.message}`);
      });
    };
    // Progress is reported beside the work, never in its way: one report in flight, at most one
    // every PROGRESS_EVERY_MS, and of the ones that came meanwhile only the latest is sent (progress
    // only grows, so nothing a client shows is lost; a short job costs two round trips, not ten).
    // `running` is sent first on the same chain, without holding the job back, and every outcome
    // waits for that chain, so it always arrives last.
    let reports: Promise<void> = report({ status: 'running', progress: 0 });
    let latest: number | undefined;
    let due: NodeJS.Timeout | undefined;
    let sentAt = Date.now();
    const send = () => {
      due = undefined;
      reports = reports.then(async () => {
        const p = latest;
        latest = undefined;
        sentAt = Date.now();
        if (p !== undefined && !job.controller.signal.aborted) await report({ status: 'running', progress: p });
      });
    };
    const progress = (percent: number) => {
      latest = percent;
      due ??= setTimeout(send, Math.max(0, sentAt + PROGRESS_EVERY_MS - Date.now()));
    };
    /** Before an outcome: progress still waiting is dropped when `completed` (which means 100) follows, sent otherwise. */
    const settle = async (completed: boolean) => {
      clearTimeout(due);
      if (due && !completed) send();
      due = undefined;
      await reports;
    };
    try {
      await simulateJob({
        durationMs: this.config.jobMs,
        failAt: this.config.failAtPercent,
        signal: job.controller.signal,
        onProgress: async (percent, phase) => {
          job.progress = percent;
          job.phase = phase;
          progress(percent);
        },
      });
      // Done: from here a shutdown lets the outcome go out instead of handing the job back.
      job.reportingOutcome = true;
      await settle(true);
      if (!job.controller.signal.aborted) await report({ status: 'completed' });
    } catch (error) {
      job.reportingOutcome = true;
      await settle(false);
      if (job.controller.signal.reason instanceof HandBack) await report({ status: 'queued', error: `handed back: worker ${this.config.name} shutting down` });
      else if (!job.controller.signal.aborted) await report({ status: 'failed', error: (error as Error).message });
    }
  }
  /** Stops taking jobs, hands the current one back, deregisters. Idempotent. */
  async shutdown(): Promise<void> {
    this.accepting = false;
    clearInterval(this.heartbeat);
    const job = this.current;
    // A job only reporting its outcome finishes that report; the one at work is handed back.
    if (job && !job.reportingOutcome) job.controller.abort(new HandBack());
    await Promise.all(this.jobs);
    if (this.node && this.credential) await this.api.deregister(this.credential, this.node.id).catch((error: Error) => this.log(`deregister failed: ${error.message}`));
    this.node = undefined;
    this.credential = undefined;
    this.dispatchDigest = undefined;
  }
}
