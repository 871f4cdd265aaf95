import { useCallback, useEffect, useState } from 'react';
import type { DeploymentRecord, DeploymentState, HypernodeEvent, NodeRecord } from '@hypernode/events';
import { NotSignedInError, RequireSignIn, SignOutButton, StatusBadge, useEventStream, useSession, type SessionState } from '@hypernode/ui';
import { API_URL, applyHealth, INSTANCE, loadDashboard, NO_CONFIG, upsert, WS_URL, type ServiceRow } from './api.js';
import { DeploymentsTable, NodesTable, ServicesTable } from './tables.js';

/** The site: the sign-in page until someone is signed in (`#sign-in=…` or a pasted key), then the dashboard. */
export function App() {
  const session = useSession(API_URL);
  if (!API_URL) {
    return (
      <p role="alert" className="error">
        {NO_CONFIG}
      </p>
    );
  }
  return (
    <RequireSignIn apiUrl={API_URL} session={session}>
      <Dashboard apiUrl={API_URL} session={session} />
    </RequireSignIn>
  );
}

/** The dashboard: port map with live health, GPU nodes and deployments, all live. */
function Dashboard({ apiUrl, session }: { apiUrl: string; session: SessionState }) {
  const [services, setServices] = useState<ServiceRow[]>([]);
  const [nodes, setNodes] = useState<NodeRecord[]>([]);
  const [deployments, setDeployments] = useState<DeploymentRecord[]>([]);
  const [filter, setFilter] = useState<DeploymentState | ''>('');
  const [error, setError] = useState<string>();

  const { signedOut } = session;
  const reload = useCallback(() => {
    loadDashboard().then(
      (data) => {
        setServices(data.services);
        setNodes(data.nodes);
        setDeployments(data.deployments);
        setError(undefined);
      },
      (e: Error) => (e instanceof NotSignedInError ? signedOut() : setError(e.message)),
    );
  }, [signedOut]);
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
        {INSTANCE.slot !== undefined && (
          <p className="instance">
            Instance {INSTANCE.slot}
            {INSTANCE.checkout ? ` · ${INSTANCE.checkout}` : ''}
          </p>
        )}
        <p>
          Signed in{session.who?.name ? ` as ${session.who.name}` : ''} ({session.who?.scopes.join(', ')}) <SignOutButton apiUrl={apiUrl} onSignedOut={session.signedOut} />
        </p>
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
