/**
 * Checks manifests against the Kubernetes OpenAPI schemas (1.33 in kubernetes-models 4.5.1), through the `kubernetes-models`
 * package (its classes carry the JSON schemas of a Kubernetes release and validate with ajv).
 * Returns one line per problem: `Deployment/web: /spec/template/spec/containers/0/ports/0/containerPort must be integer`.
 */
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

const MODELS: Readonly<Record<string, ModelClass>> = {
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'v1/Secret': Secret as unknown as ModelClass,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as ModelClass,
  'v1/Service': Service as unknown as ModelClass,
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'apps/v1/StatefulSet': StatefulSet as unknown as ModelClass,
};

interface SchemaError {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

/** Every schema problem of every manifest; empty when all are valid. */
export function validateManifests(manifests: readonly Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  for (const manifest of manifests) {
    const type = `${String(manifest.apiVersion)}/${String(manifest.kind)}`;
    const id = `${String(manifest.kind)}/${String((manifest.metadata as { name?: string } | undefined)?.name)}`;
    const Model = MODELS[type];
    if (!Model) {
      problems.push(`${id}: no schema for ${type}`);
      continue;
    }
    try {
      new Model(structuredClone(manifest) as never).validate();
    } catch (error) {
      const errors = (error as { errors?: SchemaError[] }).errors;
      if (!errors?.length) problems.push(`${id}: ${(error as Error).message}`);
      for (const e of errors ?? []) {
        const extra = e.params?.additionalProperty ? ` (${String(e.params.additionalProperty)})` : '';
        problems.push(`${id}: ${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra}`);
      }
    }
  }
  return problems;
}
