import type { DeploymentRecord, DeploymentState, NodeRecord } from '@hypernode/events';
import { DEPLOYMENT_STATES } from '@hypernode/events';
import { ProgressBar, StatusBadge } from '@hypernode/ui';
import type { ServiceRow } from './api.js';

/** The port map with live health. */
export function ServicesTable({ services }: { services: ServiceRow[] }) {
  return (
    <table aria-label="Services">
      <thead><tr><th>service</th><th>port</th><th>kind</th><th>URL</th><th>health</th><th>latency</th><th>last check</th></tr></thead>
      <tbody>
        {services.map((s) => (
          <tr key={s.name} data-service={s.name}>
            <td>{s.name}</td><td>{s.port}</td><td>{s.kind}</td><td>{s.url}</td>
            <td><StatusBadge status={s.health.status} label={s.health.status === 'down' && !s.required ? 'down (optional)' : s.health.status} /></td>
            <td>{s.health.latencyMs} ms</td><td>{new Date(s.health.checkedAt).toLocaleTimeString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** GPU nodes. */
export function NodesTable({ nodes, deployments }: { nodes: NodeRecord[]; deployments: DeploymentRecord[] }) {
  if (nodes.length === 0) return <p>No GPU nodes yet: start one with <code>npx nx run gpu-worker:serve</code> (npm start runs one).</p>;
  return (
    <table aria-label="GPU nodes">
      <thead><tr><th>node</th><th>status</th><th>GPU</th><th>free VRAM</th><th>deployment</th></tr></thead>
      <tbody>
        {nodes.map((n) => {
          const current = deployments.find((d) => d.nodeId === n.id && (d.status === 'scheduled' || d.status === 'running'));
          return (
            <tr key={n.id}>
              <td>{n.name}</td><td><StatusBadge status={n.status} /></td><td>{n.gpuModel}</td><td>{n.freeVramGb} / {n.vramGb} GB</td><td>{current ? current.model : '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Deployments with state and progress, filterable by state. */
export function DeploymentsTable({ deployments, filter, onFilter }: { deployments: DeploymentRecord[]; filter: DeploymentState | ''; onFilter: (f: DeploymentState | '') => void }) {
  const shown = filter ? deployments.filter((d) => d.status === filter) : deployments;
  return (
    <>
      <label>
        Show{' '}
        <select value={filter} onChange={(e) => onFilter(e.target.value as DeploymentState | '')}>
          <option value="">all states</option>
          {DEPLOYMENT_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      {shown.length === 0 ? (
        <p>No deployments{filter ? ` in state ${filter}` : ''}: create one in the LLM deployer.</p>
      ) : (
        <table aria-label="Deployments">
          <thead><tr><th>model</th><th>state</th><th>progress</th><th>created</th></tr></thead>
          <tbody>
            {shown.map((d) => (
              <tr key={d.id} data-deployment={d.id}>
                <td>{d.model}</td><td><StatusBadge status={d.status} /></td>
                <td><ProgressBar value={d.progress} label={`${d.model} progress`} /> {Math.round(d.progress)}%</td>
                <td>{new Date(d.createdAt).toLocaleTimeString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
