/** Home page; the deployment form and live list come with the frontend issue. */
export default function Home() {
  return (
    <main>
      <h1>Hypernode LLM deployer</h1>
      <p>API: {process.env.NEXT_PUBLIC_API_URL ?? 'not configured'}</p>
    </main>
  );
}
