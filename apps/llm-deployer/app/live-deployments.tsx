'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useState } from 'react';
import type { DeploymentRecord, HypernodeEvent } from '@hypernode/events';
import { FINAL_STATES } from '@hypernode/events';
import { ProgressBar, StatusBadge, useEventStream } from '@hypernode/ui';
import { useBackend } from './backend-config';

/** Cancels with the session cookie; a 401 (session ended) renders the page again: the sign-in page. */
async function cancel(apiUrl: string, id: string, signedOut: () => void): Promise<void> {
  const res = await fetch(`${apiUrl}/deployments/${id}/cancel`, { method: 'POST', credentials: 'include' }).catch(() => undefined);
  if (res?.status === 401) signedOut();
}

/** Deployments rendered by the server first, then kept live over the realtime connection. */
export function LiveDeployments({ initial, only }: { initial: DeploymentRecord[]; only?: string }) {
  const [items, setItems] = useState(initial);
  const router = useRouter();
  const { apiUrl, wsUrl } = useBackend();
  const onEvent = useCallback((event: HypernodeEvent) => {
    if (!('deployment' in event.data)) return;
    const d = event.data.deployment;
    if (only && d.id !== only) return;
    setItems((list) => (list.some((x) => x.id === d.id) ? list.map((x) => (x.id === d.id ? d : x)) : [d, ...list]));
  }, [only]);
  // After a `reset` (missed events no longer kept, or a new stream epoch) reload the current state.
  const onReset = useCallback(() => {
    const url = only ? `${apiUrl}/deployments/${only}` : `${apiUrl}/deployments?limit=100`;
    void fetch(url, { credentials: 'include', signal: AbortSignal.timeout(5000) })
      .then((res) => (res.ok ? res.json() : undefined))
      .then((body: { items?: DeploymentRecord[] } | DeploymentRecord | undefined) => {
        if (body) setItems(only ? [body as DeploymentRecord] : ((body as { items?: DeploymentRecord[] }).items ?? []));
      })
      .catch(() => undefined);
  }, [only, apiUrl]);
  const status = useEventStream(wsUrl, [only ? `deployment:${only}` : 'deployments'], onEvent, onReset);

  return (
    <>
      <p aria-live="polite">Live updates: <StatusBadge status={status} /></p>
      {items.length === 0 ? (
        <p>No deployments yet: create one above.</p>
      ) : (
        <table aria-label="Deployments">
          <thead><tr><th>model</th><th>state</th><th>progress</th><th /></tr></thead>
          <tbody>
            {items.map((d) => (
              <tr key={d.id} data-deployment={d.id}>
                <td><Link href={`/deployments/${d.id}`}>{d.model}</Link></td>
                <td><StatusBadge status={d.status} />{d.error && d.status === 'failed' ? ` — ${d.error}` : ''}</td>
                <td><ProgressBar value={d.progress} label={`${d.model} progress`} /> {Math.round(d.progress)}%</td>
                <td>{!FINAL_STATES.includes(d.status) && <button onClick={() => void cancel(apiUrl, d.id, () => router.refresh())} aria-label={`Cancel ${d.model}`}>Cancel</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
