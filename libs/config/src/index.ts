export {
  type ClusterConfig,
  type NodeConfig,
  type ApplicationConfig,
  type CookieSource,
  type AttributeValue,
  type PlacementPolicyConfig,
  type RegistryConfig,
  type RegistryMode,
  type ResolverName,
  REGISTRY_MODES,
  REGISTRY_RESOLVERS,
  MAX_REGISTRY_REPLICAS,
  CONFIG_DEFAULTS,
  toClusterDocument,
  stringifyClusterConfig,
  cookieDocument,
  type ClusterDocument,
  type NodeDocument,
  type ApplicationDocument,
  type CookieDocument,
  type StringifyOptions,
} from './cluster-config.js';
export {
  type ConfigProblem,
  formatProblem,
  ConfigError,
  ConfigInvalidError,
  ConfigFileUnreadableError,
  CookieUnavailableError,
  UnknownNodeError,
} from './errors.js';
export {
  ClusterConfigLoader,
  parseClusterConfig,
  loadClusterConfig,
  normaliseClusterConfig,
  type ParseOptions,
  type CheckResult,
} from './loader.js';
export {
  resolveCookie,
  describeCookieSource,
  type CookieEnvironment,
  nodeStartOptions,
  findNode,
  seedsFor,
  type NodeStartOptions,
  type NodeStartOptionsOptions,
} from './node-start-options.js';
export { clusterSchema, clusterSchemaPath } from './schema-validation.js';
export { parseDuration } from './values.js';
