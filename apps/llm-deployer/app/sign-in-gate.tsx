'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { SignInPage, SignOutButton, signInFromLocation } from '@hypernode/ui';
import { API_URL } from './api';

/**
 * What a page renders when the api answered 401 to its server-side fetch: signs in with
 * `#sign-in=hnt_…` when the URL carries one, else shows the sign-in page; either way the page is
 * then rendered again on the server, now with the session cookie.
 */
export function SignInGate() {
  const router = useRouter();
  const [checking, setChecking] = useState(true);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!API_URL) return setChecking(false);
    let live = true;
    signInFromLocation(API_URL).then(
      (who) => (who ? router.refresh() : live && setChecking(false)),
      (e: Error) => {
        if (!live) return;
        setError(e.message);
        setChecking(false);
      },
    );
    return () => {
      live = false;
    };
  }, [router]);
  if (!API_URL) return <p role="alert">NEXT_PUBLIC_API_URL is not set: start the deployer with `npm start` (or `npx nx run llm-deployer:serve`)</p>;
  if (checking) return <p aria-busy="true">Signing in…</p>;
  return <SignInPage apiUrl={API_URL} onSignedIn={() => router.refresh()} error={error} />;
}

/** The sign-out button: ends the session, then renders the page again (the sign-in page). */
export function SignOut() {
  const router = useRouter();
  if (!API_URL) return null;
  return <SignOutButton apiUrl={API_URL} onSignedOut={() => router.refresh()} />;
}
