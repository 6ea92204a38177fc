import { Writable } from 'node:stream';
import { runCli } from './cli.js';

/** A writable stream that keeps what was written, for CLI tests. */
export function captureStream(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

/** Run the CLI in this process with captured output; resolves with the exit code and both outputs. */
export async function runCliCaptured(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = captureStream();
  const err = captureStream();
  const code = await runCli(argv, { out: out.stream, err: err.stream });
  return { code, out: out.text(), err: err.text() };
}
