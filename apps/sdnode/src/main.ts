#!/usr/bin/env node
import { runCli } from './cli.js';

process.on('unhandledRejection', (reason) => {
  // A library user's stray promise must not take the node down: report it and go on.
  process.stderr.write(`sdnode: unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}\n`);
});

const code = await runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr });
process.exitCode = code;
