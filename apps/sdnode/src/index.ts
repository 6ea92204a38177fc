export { runCli, buildCli, ExitCode, type CliIo } from './cli.js';
export { parseSeed, parseEndpoint, parseDurationMs, parseNodeName } from './options.js';
export { EchoProcess, type EchoRequest } from './builtin-types.js';
export type { NodeServices, UserModule } from './user-module.js';
