// harness.start.local5 / .local50 / .containers5: how long @sdnode/harness takes to start n
// nodes and see them form a full mesh (Cluster.start resolves then): local OS processes on
// loopback, or containers on a fresh user-defined network. The container image is built (or
// found) before the clock starts; closing the cluster is not timed.
// `node harness-start.mjs <n> mode=local|containers`
import { emit, main, nowNs, scenarioArgs } from '../lib/result.mjs';

main(async () => {
  const { n, opts } = scenarioArgs(5);
  const mode = opts.mode ?? 'local';
  const harness = await import(new URL('../../libs/harness/dist/index.js', import.meta.url).href);
  const containers = mode === 'containers' ? { image: (await harness.ensureNodeImage()).tag } : undefined;
  const t0 = nowNs();
  const cluster = await harness.Cluster.start({ mode, nodes: n, timeout: 110_000, ...(containers ? { containers } : {}) });
  const seconds = (nowNs() - t0) / 1e9;
  const closing = nowNs();
  await cluster.close();
  process.stderr.write(`closed ${n} ${mode} nodes in ${((nowNs() - closing) / 1e9).toFixed(2)} s\n`);
  emit(`harness.start.${mode}${n}`, seconds, 's', { n });
});
