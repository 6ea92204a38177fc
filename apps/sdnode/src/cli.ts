import { Command, CommanderError, InvalidArgumentError as CommanderInvalidArgument, Option } from 'commander';
import { InvalidArgumentError, SdnodeError } from '@sdnode/wire';
import { CARRIERS } from '@sdnode/transport';
import { parseAttribute, parseDurationMs, parseLocation, parseSeed } from './options.js';
import { startCommand, type StartFlags } from './commands/start.js';
import { pingCommand } from './commands/ping.js';
import { infoCommand } from './commands/info.js';
import { configCheckCommand } from './commands/config-check.js';
import { imageBuildCommand, type ImageBuildFlags } from './commands/image.js';
import { clusterUpCommand, parseNodeCount } from './commands/cluster-up.js';
import { parseNodeAddress, sgroupChangeCommand, sgroupListCommand, type SGroupFlags } from './commands/sgroup.js';
import { placementExplainCommand, placementNodesCommand, type PlacementExplainFlags, type PlacementFlags } from './commands/placement.js';
import { observeCommand, type ObserveFlags } from './commands/observe.js';
import { curveKeygenCommand, type CurveKeygenFlags } from './commands/curve-keygen.js';

export interface CliIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

/** Exit codes: 0 ok, 1 the operation failed (pang, unreachable node), 2 bad usage. */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;

const commanderArg =
  <T>(parse: (value: string, previous: T) => T) =>
  (value: string, previous: T): T => {
    try {
      return parse(value, previous);
    } catch (error) {
      throw new CommanderInvalidArgument((error as Error).message);
    }
  };

export function buildCli(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command('sdnode')
    .description('Run and inspect sdnode nodes: Erlang/OTP-style distribution for Node.js')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out.write(s), writeErr: (s) => io.err.write(s) })
    .exitOverride();

  program
    .command('start')
    .description('run a node in the foreground; prints a line when it listens and one per event')
    .option('--name <name>', 'node name, name@host (a bare name takes the host of --listen); required unless --config')
    .option('--config <file>', 'a cluster configuration file (YAML or JSON): start its node --node; explicit flags override the file')
    .option('--node <name>', 'with --config: the node of the file to start (name or name@host)')
    .option('--cookie <cookie>', 'shared secret of the cluster (default: $SDNODE_COOKIE, or the file\'s cookie)')
    .option('--listen <endpoint>', 'listen endpoint, tcp://HOST:PORT (port 0 = any; default tcp://127.0.0.1:0)')
    .option('--advertise <endpoint>', 'endpoint other nodes use to reach this one (default: the bound endpoint)')
    .option('--seed <name=endpoint>', 'a node to connect to at start (repeatable)', commanderArg(parseSeed), {})
    .option('--connect <name>', 'connect to a node known by name (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--hidden', 'a hidden node: never joins the transitive mesh (and runs no placement)', false)
    .option('--attribute <name=value>', 'a static placement attribute (repeatable; true/false and numbers are typed), over the file\'s', commanderArg(parseAttribute), {})
    .option('--location <level=value>', 'where the node is at a location level (repeatable, e.g. zone=eu-1), over the file\'s', commanderArg(parseLocation), {})
    .addOption(new Option('--tick <duration>', 'net tick time, e.g. 15s or 500ms (default 60s)').argParser(commanderArg((v) => parseDurationMs('--tick', v))))
    .addOption(new Option('--max-unresponsive <duration>', 'liveness side-channel: keep this node from being declared down while its event loop is blocked, for at most this long (peers need it too; off by default)').argParser(commanderArg((v) => parseDurationMs('--max-unresponsive', v))))
    .addOption(new Option('--carrier <carrier>', 'the transport carrier: net (ZMTP on node:net, the default) or zmq (zeromq.js), over the file\'s').choices([...CARRIERS]))
    .option('--curve-public-key <key>', 'CurveZMQ: the cluster\'s public key (Z85), with --curve-secret-key-file (default: $SDNODE_CURVE_PUBLIC_KEY without --config, or the file\'s curve); runs on zmq')
    .option('--curve-secret-key-file <path>', 'CurveZMQ: a file holding the cluster\'s secret key (default: $SDNODE_CURVE_SECRET_KEY without --config, or the file\'s curve)')
    .option('--json', 'one JSON object per line', false)
    .option('--watch', 'monitor an echo process on every peer and report its DOWN', false)
    .option('--module <file>', 'an ES module exporting `types` (process types), `functions` (rpc functions) and `applications` to define on this node')
    .option('--fault-hooks', 'let the test harness partition or delay this node through rpc (harness clusters, local and container)', false)
    .option('--stdin-lifeline', 'stop when standard input closes (the process that started this node is gone)', false)
    .option('--metrics <host:port>', 'serve Prometheus metrics at http://HOST:PORT/metrics (port 0: any free port, printed in the `metrics` event); off by default')
    .addOption(new Option('--log-level <level>', 'runtime log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'silent']))
    .action(async (flags: StartFlags) => {
      setExitCode(await startCommand(flags));
    });

  const query = (cmd: Command) =>
    cmd
      .requiredOption('--at <endpoint>', 'the node\'s address, tcp://HOST:PORT')
      .option('--cookie <cookie>', 'shared secret of the cluster (default: $SDNODE_COOKIE)')
      .option('--listen <endpoint>', 'where this short-lived hidden node listens (must be reachable from the target)', 'tcp://127.0.0.1:0')
      .option('--curve-public-key <key>', 'CurveZMQ: the cluster\'s public key (Z85), with --curve-secret-key-file (default: $SDNODE_CURVE_PUBLIC_KEY)')
      .option('--curve-secret-key-file <path>', 'CurveZMQ: a file holding the cluster\'s secret key (default: $SDNODE_CURVE_SECRET_KEY)')
      .addOption(new Option('--timeout <duration>', 'give up after').default(5000, '5s').argParser(commanderArg((v) => parseDurationMs('--timeout', v))));

  query(program.command('ping').argument('<name>', 'node name').description('answers pong (exit 0) or pang (exit 1)')).action(
    async (name: string, flags) => setExitCode(await pingCommand(name, flags, io.out)),
  );

  query(program.command('info').argument('<name>', 'node name').description('the node\'s connected nodes, process count and registry scopes'))
    .option('--json', 'print JSON', false)
    .option('--names', 'also list the names held in each registry scope (at most 1000 per scope)', false)
    .action(async (name: string, flags) => setExitCode(await infoCommand(name, flags, io.out)));

  const sgroup = program
    .command('sgroup')
    .description('s_groups of a running node: list them; create, change or delete one (the node asked makes the change, agreed with the members it reaches)')
    .addHelpText(
      'after',
      [
        '',
        'The node asked (--on NAME, found at --at ENDPOINT; a bare NAME takes the host of --at) makes the',
        'change: it must be a member of the group (create: among the nodes listed; the first one is asked',
        'unless --on says). The nodes of the group are full names, name@host. Exit 0: done as asked;',
        '1: nodes could not join, or the node refused (its error is printed); 2: bad usage.',
        '',
        'Examples:',
        '  sdnode sgroup create g1 n1@h n2@h --at tcp://h:4370     # asks n1@h',
        '  sdnode sgroup add g1 n3@h --on n1@h --at tcp://h:4370 [--address n3@h=tcp://h:4372]',
        '  sdnode sgroup remove g1 n3@h --on n1@h --at tcp://h:4370',
        '  sdnode sgroup delete g1 --on n1@h --at tcp://h:4370',
        '  sdnode sgroup list --on n1@h --at tcp://h:4370     # its groups (members, versions), others known',
      ].join('\n'),
    );
  const sgroupQuery = (cmd: Command, on: string) =>
    query(cmd)
      .option('--on <name>', on)
      .option('--json', 'print JSON', false);
  const addresses = (cmd: Command) =>
    cmd.option('--address <name=endpoint>', 'where a node to add listens, when the node asked does not know (repeatable)', commanderArg(parseNodeAddress), {});
  const member = 'the node to ask, a member of the group (name@host, or a bare name on the host of --at)';
  sgroupQuery(sgroup.command('list').description('the node\'s kind, its s_groups with members and versions, and the other s_groups it knows of'), 'the node to ask').action(
    async (flags: SGroupFlags) => setExitCode(await sgroupListCommand(flags, io)),
  );
  addresses(sgroupQuery(sgroup.command('create').argument('<group>', 's_group name').argument('<nodes...>', 'its members, the node asked among them'), 'the node to ask (default: the first node listed)'))
    .description('create an s_group; prints its members, and each node that could not join and why')
    .action(async (group: string, nodes: string[], flags: SGroupFlags) => setExitCode(await sgroupChangeCommand('new', group, nodes, flags, io)));
  addresses(sgroupQuery(sgroup.command('add').argument('<group>', 's_group name').argument('<nodes...>', 'nodes to add'), member))
    .description('add nodes to an s_group; prints its members, and each node that could not join and why')
    .action(async (group: string, nodes: string[], flags: SGroupFlags) => setExitCode(await sgroupChangeCommand('add', group, nodes, flags, io)));
  sgroupQuery(sgroup.command('remove').argument('<group>', 's_group name').argument('<nodes...>', 'nodes to remove (not the node asked)'), member)
    .description('remove nodes from an s_group (they become free unless in another group)')
    .action(async (group: string, nodes: string[], flags: SGroupFlags) => setExitCode(await sgroupChangeCommand('remove', group, nodes, flags, io)));
  sgroupQuery(sgroup.command('delete').argument('<group>', 's_group name'), member)
    .description('delete an s_group (its members become free unless in another group)')
    .action(async (group: string, flags: SGroupFlags) => setExitCode(await sgroupChangeCommand('delete', group, [], flags, io)));

  const placement = program
    .command('placement')
    .description('implicit process placement on a running node: explain a policy or spec, show the node\'s view')
    .addHelpText(
      'after',
      [
        '',
        'The node asked is --at NODE, a node of --config FILE whose address the file gives, or --at',
        'tcp://HOST:PORT --on NAME. With --config the cookie is the file\'s (unless --cookie), and a POLICY',
        'is looked up in the file and sent as its spec, so the node need not have it. Exit 0: answered;',
        '1: the node could not be reached, or runs no placement; 2: bad usage (an unknown policy, a bad spec).',
        '',
        'Examples:',
        '  sdnode placement explain workers --config cluster.yaml --at n1',
        '  sdnode placement explain --spec \'{"near": {"within": "zone"}, "self": "exclude"}\' --at tcp://h:4370 --on n1@h',
        '  sdnode placement nodes --config cluster.yaml --at n1',
      ].join('\n'),
    );
  const placementQuery = (cmd: Command) =>
    cmd
      .requiredOption('--at <node|endpoint>', 'the node to ask: a node of --config, or its address tcp://HOST:PORT (then --on)')
      .option('--on <name>', 'with --at ENDPOINT: the node\'s name (name@host, or a bare name on the host of --at)')
      .option('--config <file>', 'a cluster configuration file: its policies, cookie and node addresses')
      .option('--cookie <cookie>', 'shared secret of the cluster (default: the file\'s, else $SDNODE_COOKIE)')
      .option('--listen <endpoint>', 'where this short-lived hidden node listens (must be reachable from the target)', 'tcp://127.0.0.1:0')
      .option('--curve-public-key <key>', 'CurveZMQ: the cluster\'s public key (Z85), with --curve-secret-key-file (default: the file\'s curve, else $SDNODE_CURVE_PUBLIC_KEY)')
      .option('--curve-secret-key-file <path>', 'CurveZMQ: a file holding the cluster\'s secret key (default: the file\'s curve, else $SDNODE_CURVE_SECRET_KEY)')
      .addOption(new Option('--timeout <duration>', 'give up after').default(5000, '5s').argParser(commanderArg((v) => parseDurationMs('--timeout', v))))
      .option('--json', 'print JSON', false);
  placementQuery(
    placement
      .command('explain')
      .argument('[policy]', 'a placement policy: of --config FILE, else the node\'s own')
      .description('every node the node asked knows, excluded by which constraint or eligible with its score (lower is better), and what it would choose now (*)'),
  )
    .option('--spec <json>', 'an inline placement spec (JSON) instead of a policy')
    .action(async (policy: string | undefined, flags: PlacementExplainFlags) => setExitCode(await placementExplainCommand(policy, flags, io)));
  placementQuery(placement.command('nodes').description('the node\'s placement view: every node it knows with location, load, processes, round trip, age and attributes')).action(
    async (flags: PlacementFlags) => setExitCode(await placementNodesCommand(flags, io)),
  );

  program
    .command('observe')
    .description('a live view of the cluster in the browser: a hidden node gathers every node\'s state from --at on, and serves the page')
    .requiredOption('--at <node|endpoint>', 'the node to start from: its address tcp://HOST:PORT (then --on), or a node of --config')
    .option('--on <name>', 'with --at ENDPOINT: the node\'s name (name@host, or a bare name on the host of --at)')
    .option('--config <file>', 'a cluster configuration file: its cookie, and its nodes\' addresses (all observed from the start)')
    .option('--cookie <cookie>', 'shared secret of the cluster (default: the file\'s, else $SDNODE_COOKIE)')
    .option('--listen <host:port>', 'where the web page is served (port 0: any free port, printed)', '127.0.0.1:4380')
    .option('--node-listen <endpoint>', 'where the observer\'s hidden node listens (must be reachable from the nodes)', 'tcp://127.0.0.1:0')
    .option('--curve-public-key <key>', 'CurveZMQ: the cluster\'s public key (Z85), with --curve-secret-key-file (default: the file\'s curve, else $SDNODE_CURVE_PUBLIC_KEY)')
    .option('--curve-secret-key-file <path>', 'CurveZMQ: a file holding the cluster\'s secret key (default: the file\'s curve, else $SDNODE_CURVE_SECRET_KEY)')
    .addOption(new Option('--interval <duration>', 'how often every node is asked (and the page updated)').default(1000, '1s').argParser(commanderArg((v) => parseDurationMs('--interval', v))))
    .addOption(new Option('--timeout <duration>', 'how long one node may take to answer').default(2000, '2s').argParser(commanderArg((v) => parseDurationMs('--timeout', v))))
    .addOption(new Option('--forget <duration>', 'a node down this long, and in no s_group, leaves the picture').default(30_000, '30s').argParser(commanderArg((v) => parseDurationMs('--forget', v))))
    .option('--json', 'print JSON lines', false)
    .action(async (flags: ObserveFlags) => setExitCode(await observeCommand(flags, io)));

  program
    .command('cluster')
    .description('run a whole cluster for development and tests')
    .command('up')
    .argument('[file]', 'a cluster configuration file (YAML or JSON); without it, --nodes')
    .description('start a cluster in the foreground (local processes, or containers), print its nodes and their events; Ctrl-C stops it')
    .option('--containers', 'run every node in a container on its own network (needs Docker)', false)
    .option('--nodes <count>', 'number of nodes n1..nN when no file is given (default 3)', commanderArg((v) => parseNodeCount(v)))
    .option('--module <file>', 'an ES module exporting `types` and `functions`, loaded by every node')
    .option('--cookie <cookie>', 'the cluster\'s cookie (default: from the file, else random)')
    .addOption(new Option('--tick <duration>', 'net tick time of every node').argParser(commanderArg((v) => parseDurationMs('--tick', v))))
    .addOption(new Option('--timeout <duration>', 'deadline for starting and meshing').default(60_000, '60s').argParser(commanderArg((v) => parseDurationMs('--timeout', v))))
    .option('--json', 'one JSON object per line', false)
    .action(async (file: string | undefined, flags) => setExitCode(await clusterUpCommand(file, flags, io.out, io.err)));

  program
    .command('config')
    .description('cluster configuration files')
    .command('check')
    .argument('<file>', 'a cluster configuration file (YAML or JSON)')
    .description('validate a cluster file and print it normalised (exit 0), or every problem as file:line:col: message (exit 1)')
    .option('--json', 'print JSON', false)
    .action(async (file: string, flags: { json: boolean }) => setExitCode(await configCheckCommand(file, flags, io.out, io.err)));

  program
    .command('curve')
    .description('CurveZMQ keys of a cluster (docs/guides/deploy.md)')
    .command('keygen')
    .description('make a new keypair for a cluster: prints both keys, or writes them to --out DIR (curve-public.key, curve-secret.key mode 0600)')
    .option('--out <dir>', 'write the keys to two files in this directory instead of printing them')
    .option('--force', 'replace key files that exist in --out', false)
    .option('--env', 'print SDNODE_CURVE_PUBLIC_KEY=... and SDNODE_CURVE_SECRET_KEY=... lines (an env file, e.g. for docker-compose --env-file)', false)
    .option('--json', 'print one JSON object', false)
    .action((flags: CurveKeygenFlags) => setExitCode(curveKeygenCommand(flags, io.out)));

  program
    .command('image')
    .description('the node image of container mode (FROM scratch, built locally, no registry)')
    .command('build')
    .description('build (or reuse) the node image from this npm project: the sdnode CLI, the project\'s production dependencies and the packages --module imports; prints its tag')
    .option('--module <file>', 'the module your nodes load (--module of sdnode start): the packages it imports go in the image')
    .option('--module-root <dir>', 'a directory copied with the module: the packages its scripts import go in too')
    .option('--package <name>', 'one more package for the image (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--root <dir>', 'the npm project (default: the nearest one above the current directory with sdnode installed)')
    .option('--force', 'rebuild even when the image exists', false)
    .option('--json', 'print one JSON object', false)
    .action(async (flags: ImageBuildFlags) => setExitCode(await imageBuildCommand(flags, io)));

  return program;
}

/** Run the CLI; resolves with the process exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildCli(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof InvalidArgumentError) {
      io.err.write(`sdnode: ${error.message}\n`);
      return ExitCode.usage;
    }
    const message = error instanceof SdnodeError ? `${error.message} (${error.code})` : (error as Error).message;
    io.err.write(`sdnode: ${message}\n`);
    return ExitCode.failed;
  }
}
