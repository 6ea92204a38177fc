// The deployment examples users copy (docs/deploy): the Kubernetes manifests against the
// Kubernetes OpenAPI schemas (offline, kubernetes-models) and against each other, the cluster
// files with sdnode's own loader, the Compose file against its cluster file. Each check is also
// shown to catch a broken copy, so that a passing run means something.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadClusterConfig } from '@sdnode/config';
import { crossReferenceProblems, readManifests, schemaProblems, type Manifest } from './kubernetes-checks.js';
import { unknownFields } from './kubernetes-fields.js';

const K8S_DIR = fileURLToPath(new URL('../../docs/deploy/kubernetes/', import.meta.url));
const COMPOSE_DIR = fileURLToPath(new URL('../../docs/deploy/compose/', import.meta.url));

/** A copy of the manifests with one document changed by `edit`. */
function broken(manifests: readonly Manifest[], kind: string, name: string, edit: (doc: Manifest['doc']) => void): Manifest[] {
  return manifests.map((m) => {
    if (m.doc['kind'] !== kind || m.doc['metadata']?.name !== name) return m;
    const doc = structuredClone(m.doc);
    edit(doc);
    return { ...m, doc };
  });
}

describe('the Kubernetes example (docs/deploy/kubernetes)', () => {
  const manifests = readManifests(K8S_DIR);

  it('holds the objects the guide describes', () => {
    const kinds = manifests.map((m) => `${m.doc['kind']}/${m.doc['metadata']?.name}`).sort();
    expect(kinds).toEqual([
      'ConfigMap/sdnode-cluster',
      'Namespace/sdnode',
      'Secret/sdnode-secrets',
      'Service/sdnode',
      'StatefulSet/sdnode-gw',
      'StatefulSet/sdnode-zone-a',
      'StatefulSet/sdnode-zone-b',
    ]);
  });

  it('validates every document against the Kubernetes schemas', async () => {
    expect(await schemaProblems(manifests)).toEqual([]);
  });

  it('catches a document the schemas refuse', async () => {
    const noSelector = broken(manifests, 'StatefulSet', 'sdnode-gw', (d) => delete d['spec'].selector);
    expect((await schemaProblems(noSelector)).join('\n')).toMatch(/StatefulSet sdnode-gw: .*selector/);
    const badPort = broken(manifests, 'Service', 'sdnode', (d) => (d['spec'].ports[0].port = 'four-three-seven-zero'));
    expect((await schemaProblems(badPort)).join('\n')).toMatch(/Service sdnode: .*port must be integer/);
    const badKind = broken(manifests, 'Service', 'sdnode', (d) => (d['kind'] = 'Servise'));
    expect(await schemaProblems(badKind)).toEqual(['service.yaml: Servise sdnode: v1 has no kind Servise']);
  });

  it('has no field its objects do not know (which the schemas let through)', () => {
    expect(manifests.flatMap((m) => unknownFields(m.doc, `${m.file}: ${m.doc['kind']}`))).toEqual([]);
  });

  it('catches a misspelt field at any depth', () => {
    const typo = broken(manifests, 'StatefulSet', 'sdnode-gw', (d) => {
      const container = d['spec'].template.spec.containers[0];
      container.readinesProbe = container.readinessProbe;
      delete container.readinessProbe;
      d['spec'].servicename = 'sdnode';
    });
    const gw = typo.find((m) => m.doc['metadata']?.name === 'sdnode-gw')!;
    expect(unknownFields(gw.doc, 'gw').map((p) => p.slice(0, p.indexOf(':'))).sort()).toEqual(['gw.spec.servicename', 'gw.spec.template.spec.containers[0].readinesProbe']);
  });

  it('agrees with itself: services, volumes, secrets, the cluster file\'s nodes and ports', () => {
    expect(crossReferenceProblems(manifests)).toEqual([]);
  });

  it('catches broken references between the objects', () => {
    const problems = (edited: Manifest[]) => crossReferenceProblems(edited).join('\n');
    expect(problems(broken(manifests, 'StatefulSet', 'sdnode-zone-a', (d) => (d['spec'].serviceName = 'sdnodes')))).toMatch(/serviceName sdnodes is not a Service/);
    expect(problems(broken(manifests, 'StatefulSet', 'sdnode-zone-b', (d) => (d['spec'].replicas = 3)))).toMatch(/pod sdnode-zone-b-2 .* has no node/);
    expect(problems(broken(manifests, 'StatefulSet', 'sdnode-gw', (d) => (d['spec'].template.spec.volumes[1].secret.secretName = 'other')))).toMatch(/not in a mounted Secret/);
    expect(problems(broken(manifests, 'Secret', 'sdnode-secrets', (d) => delete d['stringData']['curve-secret.key']))).toMatch(/has no key curve-secret.key/);
    expect(problems(broken(manifests, 'StatefulSet', 'sdnode-gw', (d) => (d['spec'].template.spec.containers[0].ports[0].containerPort = 4371)))).toMatch(/the container port dist is 4371/);
    expect(problems(broken(manifests, 'Service', 'sdnode', (d) => (d['spec'].clusterIP = '10.0.0.9')))).toMatch(/is not headless/);
    expect(problems(broken(manifests, 'ConfigMap', 'sdnode-cluster', (d) => (d['data']['cluster.yaml'] += 'netTicktime: 5s\n')))).toMatch(/unknown field "netTicktime"/);
    expect(problems(broken(manifests, 'ConfigMap', 'sdnode-cluster', (d) => (d['data']['cluster.yaml'] = d['data']['cluster.yaml'].replace('secretKey: { file: /etc/sdnode/secrets/curve-secret.key }', 'secretKey: { env: CURVE }'))))).toMatch(
      /CURVE secret key is not read from a file of the Secret/,
    );
  });
});

describe('the Compose example (docs/deploy/compose)', () => {
  it('runs the nodes of its cluster file, one service each, with the file mounted where --config reads it', async () => {
    const config = await loadClusterConfig(`${COMPOSE_DIR}cluster.yaml`);
    expect(config.curve?.secretKey).toEqual({ kind: 'env', name: 'SDNODE_CURVE_SECRET_KEY' });
    expect(Object.keys(config.sgroups).sort()).toEqual(['zone-a', 'zone-b']);
    const compose = parse(readFileSync(`${COMPOSE_DIR}docker-compose.yml`, 'utf8'), { merge: true }) as {
      services: Record<string, { command: string[]; volumes: string[]; environment: Record<string, string>; healthcheck: { test: string[] } }>;
    };
    const services = Object.entries(compose.services);
    expect(services.map(([s]) => `${s}@${s}`).sort()).toEqual(config.nodes.map((n) => n.name).sort());
    for (const [service, spec] of services) {
      const node = config.nodes.find((n) => n.name === `${service}@${service}`)!;
      expect(node.listen).toBe('tcp://0.0.0.0:4370');
      expect(spec.command).toEqual(['start', '--config', '/etc/sdnode/cluster.yaml', '--node', service, '--json']);
      expect(spec.volumes).toEqual(['./cluster.yaml:/etc/sdnode/cluster.yaml:ro']);
      expect(Object.keys(spec.environment).sort()).toEqual(['SDNODE_COOKIE', 'SDNODE_CURVE_PUBLIC_KEY', 'SDNODE_CURVE_SECRET_KEY']);
      expect(spec.healthcheck.test.slice(3)).toEqual(['ping', node.name, '--at', 'tcp://127.0.0.1:4370']);
    }
  });
});
