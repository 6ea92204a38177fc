// The dependency direction of DESIGN.md's layers, as Nx tags: which layers a layer may import.
//
//   wire  <-  transport  <-  core  <-  otp
//                             ^  ^-- registry <- sgroups <- placement <- metrics
//                             |
//                config (no runtime deps) ; harness (uses all) ; apps (use all)
// A layer may use every layer below it (transitively), never one above or beside it.
export const allowedLayers = {
  'layer:wire': [],
  'layer:transport': ['layer:wire'],
  'layer:core': ['layer:wire', 'layer:transport'],
  'layer:otp': ['layer:wire', 'layer:transport', 'layer:core'],
  'layer:registry': ['layer:wire', 'layer:transport', 'layer:core'],
  'layer:sgroups': ['layer:wire', 'layer:transport', 'layer:core', 'layer:registry'],
  'layer:placement': ['layer:wire', 'layer:transport', 'layer:core', 'layer:registry', 'layer:sgroups'],
  'layer:metrics': ['layer:wire', 'layer:transport', 'layer:core', 'layer:registry', 'layer:sgroups', 'layer:placement'],
  'layer:config': [],
  'layer:harness': ['*'],
  'layer:app': ['*'],
};

/**
 * projects: [{ name, tags, imports: [{ from: file, spec: '@sdnode/x' }] }]
 * Returns one message per import that crosses the layers the wrong way (or names an unknown layer).
 */
export function findLayerViolations(projects) {
  const layerOf = new Map();
  for (const p of projects) {
    const layer = p.tags.find((t) => t.startsWith('layer:'));
    layerOf.set(p.name, layer);
  }
  const violations = [];
  for (const p of projects) {
    const layer = layerOf.get(p.name);
    if (!layer || !(layer in allowedLayers)) {
      violations.push(`${p.name}: no known layer tag (tags: ${p.tags.join(', ') || 'none'})`);
      continue;
    }
    const allowed = allowedLayers[layer];
    for (const imp of p.imports) {
      const target = packageOf(imp.spec);
      if (target === p.name) continue;
      if (!layerOf.has(target)) continue; // an external package
      const targetLayer = layerOf.get(target);
      if (allowed.includes('*') || allowed.includes(targetLayer)) continue;
      violations.push(`${imp.from}: ${p.name} (${layer}) must not import ${target} (${targetLayer})`);
    }
  }
  return violations;
}

function packageOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
