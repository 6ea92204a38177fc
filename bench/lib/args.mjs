// Command-line options of bench/run.mjs.

export const USAGE = `usage: node bench/run.mjs [--json] [--quick] [--only <pattern>] [--no-erlang]
  --json            one JSON object per figure per line on stdout (progress goes to stderr)
  --quick           smaller work sizes (seconds instead of a minute or two; spawn.time target not judged)
  --only <pattern>  run only scenarios whose id or figure names match this regular expression
                    (case-insensitive), e.g. --only remote, --only 'local|ceiling'
  --repeat <k>      run every scenario k times and report the median (default 3; 1 with --quick)
  --no-erlang       skip the Erlang/OTP side by side even when erl is installed
  --sdnode-only, --erlang-only   run one side only (development aid)`;

export function parseArgs(argv) {
  const opts = { json: false, quick: false, only: null, erlang: true, sdnode: true, help: false, repeat: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') opts.json = true;
    else if (arg === '--quick') opts.quick = true;
    else if (arg === '--no-erlang' || arg === '--sdnode-only') opts.erlang = false;
    else if (arg === '--erlang-only') opts.sdnode = false;
    else if (arg === '--help' || arg === '-h') opts.help = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const pattern = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!pattern) throw new Error('--only needs a pattern');
      opts.only = new RegExp(pattern, 'i');
    } else if (arg === '--repeat' || arg.startsWith('--repeat=')) {
      const k = Number(arg === '--repeat' ? argv[++i] : arg.slice('--repeat='.length));
      if (!Number.isInteger(k) || k < 1 || k > 20) throw new Error('--repeat needs a whole number from 1 to 20');
      opts.repeat = k;
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  opts.repeat ??= opts.quick ? 1 : 3;
  return opts;
}
