// `sdnode/testing`: the multi-node test harness (@sdnode/harness), for programs that depend on
// the `sdnode` package only. Local clusters of `sdnode start` processes, container clusters,
// faults, waits with state reports: see docs/guides/testing.md.
export * from '@sdnode/harness';
