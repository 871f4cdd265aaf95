import { DeploymentForm } from './deployment-form';
import { LiveDeployments } from './live-deployments';
import { fetchDeployments } from './server-api';
import { SignInGate, SignOut } from './sign-in-gate';

export const dynamic = 'force-dynamic';

/** Create a deployment and follow every deployment live; the list is server-rendered first. */
export default async function Home() {
  const { items, error, signedIn } = await fetchDeployments();
  if (!signedIn) return <SignInGate />;
  return (
    <main>
      <h1>Hypernode LLM deployer</h1>
      <SignOut />
      <DeploymentForm />
      <h2>Deployments</h2>
      {error && <p role="alert">{error}</p>}
      <LiveDeployments initial={items} />
    </main>
  );
}
