import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';

/** One object of a built overlay. */
export interface Built {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
  /** The file it came from, for messages. */
  file: string;
}

interface Kustomization {
  namespace?: string;
  resources?: string[];
  [field: string]: unknown;
}

/** The kustomization fields this assembly implements; any other field makes it refuse (so it never silently differs from kustomize). */
const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources']);

/**
 * What `kustomize build <dir>` makes of the generated tree, for the two features it uses:
 * `resources` (files and other kustomization folders) and `namespace` (the outermost wins).
 * Checked against kubectl's kustomize v5.5.0 by hand (README); no kubectl is needed to run it.
 */
export function kustomizeBuild(dir: string): Built[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const unknown = Object.keys(k).filter((f) => !SUPPORTED.has(f));
  if (unknown.length > 0) throw new Error(`${dir}/kustomization.yaml uses ${unknown.join(', ')}: teach test/k8s-build.ts that field, or the test would not see what kustomize builds`);
  const objects = (k.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    if (!/\.ya?ml$/.test(resource)) return kustomizeBuild(path);
    return parseAllDocuments(readFileSync(path, 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]!.message}`);
      return { ...(doc.toJS() as Omit<Built, 'file'>), file: path };
    });
  });
  return k.namespace ? objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: k.namespace } })) : objects;
}

