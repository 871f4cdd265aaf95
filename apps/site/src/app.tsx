import { useCallback, useEffect, useState } from 'react';
import type { DeploymentRecord, DeploymentState, HypernodeEvent, NodeRecord } from '@hypernode/events';
import { StatusBadge, useEventStream } from '@hypernode/ui';
import { applyHealth, loadDashboard, upsert, WS_URL, type ServiceRow } from './api.js';
import { DeploymentsTable, NodesTable, ServicesTable } from './tables.js';

/** The site dashboard: port map with live health, GPU nodes and deployments, all live. */
export function App() {
  const [services, setServices] = useState<ServiceRow[]>([]);
  const [nodes, setNodes] = useState<NodeRecord[]>([]);
  const [deployments, setDeployments] = useState<DeploymentRecord[]>([]);
  const [filter, setFilter] = useState<DeploymentState | ''>('');
  const [error, setError] = useState<string>();

  const reload = useCallback(() => {
    loadDashboard().then(
      (data) => {
        setServices(data.services);
        setNodes(data.nodes);
        setDeployments(data.deployments);
        setError(undefined);
      },
      (e: Error) => setError(e.message),
    );
  }, []);
  useEffect(reload, [reload]);

  const onEvent = useCallback((event: HypernodeEvent) => {
    const data = event.data as Partial<{ deployment: DeploymentRecord; node: NodeRecord; services: Parameters<typeof applyHealth>[1] }>;
    if (data.deployment) setDeployments((list) => upsert(list, data.deployment!));
    if (data.node) setNodes((list) => upsert(list, data.node!));
    if (data.services) setServices((list) => applyHealth(list, data.services!));
  }, []);
  const status = useEventStream(WS_URL, ['services', 'nodes', 'deployments'], onEvent, reload);

  return (
    <main>
      <header>
        <h1>Hypernode</h1>
        <p aria-live="polite">
          Live updates: <StatusBadge status={status} />
        </p>
      </header>
      {error && (
        <p role="alert" className="error">
          {error} <button onClick={reload}>Retry</button>
        </p>
      )}
      <section>
        <h2>Port map</h2>
        <ServicesTable services={services} />
      </section>
      <section>
        <h2>GPU nodes</h2>
        <NodesTable nodes={nodes} deployments={deployments} />
      </section>
      <section>
        <h2>Deployments</h2>
        <DeploymentsTable deployments={deployments} filter={filter} onFilter={setFilter} />
      </section>
    </main>
  );
}
