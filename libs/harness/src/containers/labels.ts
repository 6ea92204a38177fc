// What marks the Docker resources a harness run created (containers, networks, partition rules),
// so that close() and a later run's sweep find them. No testcontainers types here: this module
// is part of the public API, which must load without the optional peer.
/** Labels on every container the harness starts, so a later run can sweep leftovers. */
export const HARNESS_LABEL = 'sdnode.harness';
/** The pid of the process that owns the container. */
export const OWNER_LABEL = 'sdnode.harness.owner';
