// Checks of the Kubernetes example (docs/deploy/kubernetes): every document against the Kubernetes
// OpenAPI schemas, offline (kubernetes-models), the cluster file of the ConfigMap with sdnode's own
// loader, and the names and ports the objects share. Each check returns problems as text (empty:
// fine), so that a test can also show that a broken manifest is caught.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ClusterConfigLoader, type ClusterConfig } from '@sdnode/config';

export type Manifest = { readonly file: string; readonly doc: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every YAML document of every .yaml file in `dir`, in file order. */
export function readManifests(dir: string): Manifest[] {
  const out: Manifest[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort()) {
    for (const d of parseAllDocuments(readFileSync(join(dir, name), 'utf8'))) {
      if (d.errors.length > 0) throw new Error(`${name}: ${d.errors.map((e) => e.message).join('; ')}`);
      const doc = d.toJS() as Record<string, unknown> | null;
      if (doc !== null) out.push({ file: name, doc: doc as Manifest['doc'] });
    }
  }
  return out;
}

/** `apps/v1` -> `kubernetes-models/apps/v1`; the core group `v1` -> `kubernetes-models/v1`. */
export async function schemaProblems(manifests: readonly Manifest[]): Promise<string[]> {
  const problems: string[] = [];
  for (const { file, doc } of manifests) {
    const where = `${file}: ${String(doc['kind'])} ${String(doc['metadata']?.name)}`;
    if (typeof doc['apiVersion'] !== 'string' || typeof doc['kind'] !== 'string') {
      problems.push(`${where}: no apiVersion or kind`);
      continue;
    }
    let models: Record<string, new (data: unknown) => { validate(): void }>;
    try {
      models = (await import(`kubernetes-models/${doc['apiVersion']}`)) as typeof models;
    } catch {
      problems.push(`${where}: unknown apiVersion ${doc['apiVersion']}`);
      continue;
    }
    const Model = models[doc['kind']];
    if (Model === undefined) {
      problems.push(`${where}: ${doc['apiVersion']} has no kind ${doc['kind']}`);
      continue;
    }
    try {
      new Model(doc).validate();
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
  }
  return problems;
}

const byKind = (ms: readonly Manifest[], kind: string) => ms.filter((m) => m.doc['kind'] === kind).map((m) => m.doc);

/** The cluster file a ConfigMap holds under `key`, loaded with @sdnode/config (throws ConfigInvalidError). */
export function clusterFileOf(configMap: Record<string, any>, key: string): ClusterConfig { // eslint-disable-line @typescript-eslint/no-explicit-any
  const text = configMap['data']?.[key];
  if (typeof text !== 'string') throw new Error(`ConfigMap ${configMap['metadata']?.name} has no ${key}`);
  return new ClusterConfigLoader().parse(text, { file: `configmap ${configMap['metadata']?.name} ${key}`, baseDir: '/' });
}

/** The value following a flag in a container's args, e.g. `--config`. */
const flagValue = (args: readonly string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
};

/**
 * What the objects say about each other: StatefulSets name the headless Service and its selector
 * matches their pods; the volumes name a ConfigMap and a Secret that exist, with the keys the
 * cluster file and `--config` read; the nodes of the cluster file are exactly the pods, named by
 * their stable DNS names; ports agree between the file, the containers, the probes and the Service.
 */
export function crossReferenceProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const namespaces = byKind(manifests, 'Namespace').map((n) => n.metadata?.name as string);
  for (const { file, doc } of manifests) {
    if (doc['kind'] !== 'Namespace' && !namespaces.includes(doc['metadata']?.namespace)) problems.push(`${file}: ${doc['kind']} ${doc['metadata']?.name} is not in a namespace of the example (${namespaces.join(', ')})`);
  }
  const services = byKind(manifests, 'Service');
  const configMaps = byKind(manifests, 'ConfigMap');
  const secrets = byKind(manifests, 'Secret');
  const pods: { name: string; host: string; dist: number; sts: string }[] = [];
  const configs = new Map<string, ClusterConfig>();

  for (const sts of byKind(manifests, 'StatefulSet')) {
    const name = sts.metadata.name as string;
    const at = `StatefulSet ${name}`;
    const ns = sts.metadata.namespace as string;
    const service = services.find((s) => s.metadata.name === sts.spec.serviceName && s.metadata.namespace === ns);
    if (service === undefined) problems.push(`${at}: serviceName ${sts.spec.serviceName} is not a Service of its namespace`);
    else if (service.spec.clusterIP !== 'None') problems.push(`${at}: Service ${service.metadata.name} is not headless (clusterIP: None): pods get no stable DNS names`);
    const labels: Record<string, string> = sts.spec.template.metadata?.labels ?? {};
    for (const [k, v] of Object.entries<string>(sts.spec.selector?.matchLabels ?? {})) if (labels[k] !== v) problems.push(`${at}: selector ${k}=${v} does not match its pod template`);
    for (const [k, v] of Object.entries<string>(service?.spec.selector ?? {})) if (labels[k] !== v) problems.push(`${at}: the Service's selector ${k}=${v} does not select its pods`);

    const container = sts.spec.template.spec.containers[0];
    const args: string[] = container.args ?? [];
    const ports = new Map<string, number>((container.ports ?? []).map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]));
    const volumes = new Map<string, Record<string, any>>((sts.spec.template.spec.volumes ?? []).map((v: Record<string, any>) => [v.name, v])); // eslint-disable-line @typescript-eslint/no-explicit-any
    const mountOf = (volume: string): string | undefined => (container.volumeMounts ?? []).find((m: { name: string }) => m.name === volume)?.mountPath;

    // The cluster file: --config is a key of a mounted ConfigMap that exists.
    const configPath = flagValue(args, '--config');
    const configVolume = [...volumes.values()].find((v) => v.configMap !== undefined && configPath?.startsWith(`${mountOf(v.name)}/`));
    const configMap = configMaps.find((c) => c.metadata.name === configVolume?.configMap.name && c.metadata.namespace === ns);
    if (configMap === undefined) {
      problems.push(`${at}: --config ${String(configPath)} is not in a mounted ConfigMap of the example`);
      continue;
    }
    const key = configPath!.slice(mountOf(configVolume!.name)!.length + 1);
    let config = configs.get(`${configMap.metadata.name}/${key}`);
    if (config === undefined) {
      try {
        config = clusterFileOf(configMap, key);
      } catch (error) {
        problems.push(`${at}: ${(error as Error).message}`);
        continue;
      }
      configs.set(`${configMap.metadata.name}/${key}`, config);
    }
    if (flagValue(args, '--node') !== '$(POD_NAME)' || !(container.env ?? []).some((e: Record<string, any>) => e.name === 'POD_NAME' && e.valueFrom?.fieldRef?.fieldPath === 'metadata.name')) { // eslint-disable-line @typescript-eslint/no-explicit-any
      problems.push(`${at}: --node is not the pod's name ($(POD_NAME) from metadata.name)`);
    }

    // The secrets the cluster file reads are files of a mounted Secret that exists and has those keys.
    const secretFiles = [config.cookie, config.curve?.publicKey, config.curve?.secretKey].filter((s) => s?.kind === 'file').map((s) => (s as { path: string }).path);
    if (config.curve !== undefined && config.curve.secretKey.kind !== 'file') problems.push(`${at}: the CURVE secret key is not read from a file of the Secret`);
    for (const path of secretFiles) {
      const volume = [...volumes.values()].find((v) => v.secret !== undefined && path.startsWith(`${mountOf(v.name)}/`));
      const secret = secrets.find((s) => s.metadata.name === volume?.secret.secretName && s.metadata.namespace === ns);
      const secretKey = volume === undefined ? '' : path.slice(mountOf(volume.name)!.length + 1);
      if (secret === undefined) problems.push(`${at}: ${path} (cluster file) is not in a mounted Secret of the example`);
      else if (!(secretKey in { ...secret.data, ...secret.stringData })) problems.push(`${at}: Secret ${secret.metadata.name} has no key ${secretKey} (read as ${path})`);
    }

    // Ports: the dist port is every node's, the metrics port is --metrics, probes and the Service name container ports.
    const metricsPort = Number(flagValue(args, '--metrics')?.split(':').pop());
    if (ports.get('metrics') !== metricsPort) problems.push(`${at}: container port metrics (${String(ports.get('metrics'))}) is not --metrics (${metricsPort})`);
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const port = container[probe]?.tcpSocket?.port ?? container[probe]?.httpGet?.port;
      if (port !== undefined && !ports.has(port) && ![...ports.values()].includes(port)) problems.push(`${at}: ${probe} port ${port} is not a container port`);
    }
    for (const p of service?.spec.ports ?? []) if (!ports.has(p.targetPort) && ![...ports.values()].includes(p.targetPort)) problems.push(`${at}: Service port ${p.name} targets ${p.targetPort}, not a container port`);
    for (let i = 0; i < sts.spec.replicas; i++) pods.push({ name: `${name}-${i}`, host: `${name}-${i}.${sts.spec.serviceName}.${ns}.svc.cluster.local`, dist: ports.get('dist') ?? -1, sts: name });
  }

  // The nodes of each cluster file are exactly the pods, with their stable DNS names and port.
  for (const [which, config] of configs) {
    const nodes = new Map(config.nodes.map((n) => [n.name, n]));
    for (const pod of pods) {
      const node = nodes.get(`${pod.name}@${pod.host}`);
      if (node === undefined) problems.push(`${which}: pod ${pod.name} (StatefulSet ${pod.sts}) has no node ${pod.name}@${pod.host}`);
      else if (node.port !== pod.dist || node.listen !== `tcp://0.0.0.0:${pod.dist}`) problems.push(`${which}: node ${node.name} listens on ${node.listen}, the container port dist is ${pod.dist}`);
    }
    for (const n of config.nodes) if (!pods.some((p) => `${p.name}@${p.host}` === n.name)) problems.push(`${which}: node ${n.name} is no pod of the StatefulSets`);
  }
  return problems;
}
