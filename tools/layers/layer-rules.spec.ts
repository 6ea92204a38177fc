import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM module without types
import { findLayerViolations } from './layer-rules.mjs';

const project = (name: string, layer: string, imports: string[] = []) => ({
  name,
  tags: [layer],
  imports: imports.map((spec) => ({ from: `${name}/src/index.ts`, spec })),
});

describe('layer rules', () => {
  it('accepts imports that follow the layer direction', () => {
    const projects = [
      project('@sdnode/wire', 'layer:wire', ['cbor-x']),
      project('@sdnode/transport', 'layer:transport', ['@sdnode/wire', 'zeromq']),
      project('@sdnode/core', 'layer:core', ['@sdnode/wire', '@sdnode/transport']),
      project('sdnode', 'layer:app', ['@sdnode/core', '@sdnode/wire']),
    ];
    expect(findLayerViolations(projects)).toEqual([]);
  });

  it('reports a lower layer importing a higher one', () => {
    const projects = [
      project('@sdnode/wire', 'layer:wire', ['@sdnode/core']),
      project('@sdnode/core', 'layer:core'),
    ];
    const violations = findLayerViolations(projects);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain('@sdnode/wire (layer:wire) must not import @sdnode/core (layer:core)');
  });

  it('reports a project without a layer tag', () => {
    expect(findLayerViolations([{ name: 'x', tags: [], imports: [] }])).toEqual(['x: no known layer tag (tags: none)']);
  });
});
