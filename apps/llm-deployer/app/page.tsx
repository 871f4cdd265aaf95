import { fetchDeployments } from './api';
import { DeploymentForm } from './deployment-form';
import { LiveDeployments } from './live-deployments';

export const dynamic = 'force-dynamic';

/** Create a deployment and follow every deployment live; the list is server-rendered first. */
export default async function Home() {
  const { items, error } = await fetchDeployments();
  return (
    <main>
      <h1>Hypernode LLM deployer</h1>
      <DeploymentForm />
      <h2>Deployments</h2>
      {error && <p role="alert">{error}</p>}
      <LiveDeployments initial={items} />
    </main>
  );
}
