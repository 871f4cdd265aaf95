import type { DeploymentRecord, NodeRecord } from '@hypernode/events';

/** Longest one call to the api may take (the api answers an outage with a 503 well within it). */
const API_CALL_TIMEOUT_MS = 3000;

/** The api calls a worker makes, with its bearer token. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, path: string, body?: object): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(API_CALL_TIMEOUT_MS),
    });
    if (!res.ok) {
      const detail = await res.text().catch(() => '');
      throw Object.assign(new Error(`api ${method} ${path} answered ${res.status}: ${detail}`), { status: res.status });
    }
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  register(node: { name: string; gpuModel: string; vramGb: number; workerUrl: string }): Promise<NodeRecord> {
    return this.call('POST', '/nodes', node);
  }

  heartbeat(id: string, beat: { load: number; freeVramGb: number }): Promise<NodeRecord> {
    return this.call('POST', `/nodes/${id}/heartbeat`, beat);
  }

  deregister(id: string): Promise<void> {
    return this.call('POST', `/nodes/${id}/deregister`);
  }

  report(deploymentId: string, report: { status: 'running' | 'completed' | 'failed' | 'queued'; progress?: number; error?: string }): Promise<DeploymentRecord> {
    return this.call('POST', `/deployments/${deploymentId}/progress`, report);
  }
}
