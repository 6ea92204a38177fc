// Pruning old node images stays inside one lineage (one project, one package set). A CI run
// once lost its own image half-way: building the installed-packages project's image pruned
// every `sdnode-node` image but the three newest, the suite's image among them, and the next
// container start tried to pull it from Docker Hub. These tests run against the real engine.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imageLineage, LINEAGE_LABEL, pruneOldImages } from '../libs/harness/dist/containers/image/docker-image.js';
import { e2eContext, suiteTitle } from './support/index.js';

const ctx = e2eContext();
const REPOSITORY = 'sdnode-node';

function docker(args: string[], input?: Buffer): string {
  const r = spawnSync('docker', args, { input, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout.trim();
}

function exists(tag: string): boolean {
  return spawnSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' }).status === 0;
}

/** A one-file image (distinct content, so a distinct id) tagged `tag`, labelled with `lineage` when given. */
function tinyImage(tag: string, lineage?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sdnode-lineage-'));
  try {
    writeFileSync(join(dir, 'id'), tag);
    const tar = spawnSync('tar', ['-C', dir, '-c', '.']);
    if (tar.status !== 0) throw new Error(`tar: ${String(tar.stderr)}`);
    const changes = lineage === undefined ? [] : ['--change', `LABEL ${LINEAGE_LABEL}=${lineage}`];
    docker(['import', ...changes, '-', tag], tar.stdout);
    return tag;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!ctx.available)(suiteTitle(ctx, 'node image lineages'), () => {
  const made: string[] = [];
  afterEach(() => {
    for (const tag of made.splice(0)) spawnSync('docker', ['image', 'rm', '-f', tag], { stdio: 'ignore' });
  });
  const image = (name: string, lineage?: string): string => {
    const tag = tinyImage(`${REPOSITORY}:lineage-test-${randomBytes(4).toString('hex')}-${name}`, lineage);
    made.push(tag);
    return tag;
  };

  it('names one lineage per project and package set, whatever the package order', () => {
    expect(imageLineage('/a/project', ['x', 'y'])).toBe(imageLineage('/a/project/', ['y', 'x', 'y']));
    expect(imageLineage('/a/project', ['x'])).not.toBe(imageLineage('/a/project', ['x', 'y']));
    expect(imageLineage('/a/project', [])).not.toBe(imageLineage('/another/project', []));
  });

  it("removes a lineage's older images and leaves other lineages, unlabelled images and the suite's own image", () => {
    const mine = imageLineage(`/lineage-test/${randomBytes(4).toString('hex')}`, []);
    const other = imageLineage(`/lineage-test/${randomBytes(4).toString('hex')}`, []);
    const old1 = image('old1', mine);
    const old2 = image('old2', mine);
    const current = image('current', mine);
    const otherOld = image('other-old', other);
    const unlabelled = image('unlabelled');

    const removed = pruneOldImages(REPOSITORY, current, 1, mine);

    expect(removed.sort()).toEqual([old1, old2].sort());
    expect([old1, old2].map(exists)).toEqual([false, false]);
    expect([current, otherOld, unlabelled].map(exists)).toEqual([true, true, true]);
    if (ctx.available) expect(exists(ctx.image)).toBe(true);
  });

  it('keeps as many images of the lineage as asked for, the current one always among them', () => {
    const mine = imageLineage(`/lineage-test/${randomBytes(4).toString('hex')}`, ['pkg']);
    const older = ['a', 'b', 'c'].map((n) => image(n, mine));
    const current = image('current', mine);

    const removed = pruneOldImages(REPOSITORY, current, 3, mine);

    // Which of the older ones goes depends on creation times docker reports to the second.
    expect(removed).toHaveLength(1);
    expect(older).toContain(removed[0]);
    expect([...older, current].filter(exists)).toHaveLength(3);
    expect(exists(current)).toBe(true);
  });
});
