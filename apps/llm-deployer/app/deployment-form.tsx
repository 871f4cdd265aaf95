'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState, type FormEvent } from 'react';
import { fieldErrors, unreachable } from './api';
import { useBackend } from './backend-config';

/** Creates a deployment; the api's validation errors appear next to their fields. */
export function DeploymentForm() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string>();
  const router = useRouter();
  const { apiUrl } = useBackend();
  // The Idempotency-Key of the create being tried: sending the same form again after an error or no
  // answer reuses it, so the api makes one deployment however many tries reach it (a try whose
  // answer was lost may have made it); other content, or a success, starts a new one.
  const attempt = useRef<{ key: string; body: string } | undefined>(undefined);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, unknown> = { model: String(form.get('model') ?? '').trim(), minVramGb: Number(form.get('minVramGb')) };
    const gpuModel = String(form.get('gpuModel') ?? '').trim();
    if (gpuModel) body.gpuModel = gpuModel;
    const maxDuration = String(form.get('maxDurationS') ?? '').trim();
    if (maxDuration) body.maxDurationS = Number(maxDuration);
    const text = JSON.stringify(body);
    if (attempt.current?.body !== text) attempt.current = { key: newKey(), body: text };
    setBusy(true);
    setErrors({});
    setCreated(undefined);
    try {
      // The session cookie goes along; the browser's Origin (this registry frontend) passes the api's cross-site check.
      const res = await fetch(`${apiUrl}/deployments`, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json', 'idempotency-key': attempt.current.key }, body: text });
      if (res.status === 401) return router.refresh(); // the session ended: the page renders the sign-in page
      const json = (await res.json()) as { id?: string; message?: string };
      if (res.ok) {
        attempt.current = undefined;
        setCreated(json.id);
        event.currentTarget?.reset();
      } else setErrors(fieldErrors(json.message ?? `API answered ${res.status}`));
    } catch {
      setErrors({ form: unreachable(apiUrl) });
    } finally {
      setBusy(false);
    }
  }

  const field = (name: string, label: string, props: Record<string, unknown>) => (
    <p>
      <label htmlFor={name}>{label}</label>{' '}
      <input id={name} name={name} aria-invalid={errors[name] ? true : undefined} aria-describedby={errors[name] ? `${name}-error` : undefined} {...props} />
      {errors[name] && (
        <span id={`${name}-error`} role="alert" className="field-error" style={{ color: '#cf222e' }}>
          {' '}
          {label} {errors[name]}
        </span>
      )}
    </p>
  );

  return (
    <form onSubmit={submit} aria-label="New deployment" noValidate>
      {field('model', 'Model', { placeholder: 'llama-3-8b' })}
      {field('minVramGb', 'VRAM needed (GB)', { type: 'number', step: 'any', defaultValue: 16 })}
      {field('gpuModel', 'GPU model (optional)', { placeholder: 'any' })}
      {field('maxDurationS', 'Max duration, seconds (optional)', { type: 'number' })}
      {errors.form && <p role="alert">{errors.form}</p>}
      <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Deploy'}</button>
      {created && <p role="status">Created deployment <a href={`/deployments/${created}`}>{created}</a></p>}
    </form>
  );
}

/** 128 random bits as hex: `crypto.getRandomValues` works on plain http too (`randomUUID` needs a secure context). */
function newKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
