// `sdnode image build`: the node image container mode runs (FROM scratch, no registry, tag =
// content hash), built from the npm project the command runs in: the sdnode CLI with its
// production packages, the project's production dependencies, and every package the user's
// module imports. Harness clusters with `mode: 'containers'` build the same image by themselves;
// this command builds it ahead of time (CI caches, a `containers.image` to pin).
import { resolve } from 'node:path';
import { ensureNodeImage, findRepoRoot, type NodeImageOptions } from '@sdnode/harness';
import type { CliIo } from '../cli.js';

export interface ImageBuildFlags {
  readonly module?: string;
  readonly moduleRoot?: string;
  readonly package: readonly string[];
  readonly root?: string;
  readonly force: boolean;
  readonly json: boolean;
}

/** Builds (or reuses) the image; prints its tag on stdout (or one JSON object). Exit 0, or throws. */
export async function imageBuildCommand(flags: ImageBuildFlags, io: CliIo): Promise<number> {
  const root = flags.root !== undefined ? resolve(flags.root) : findRepoRoot(process.cwd());
  const options: NodeImageOptions = {
    root,
    packages: flags.package,
    force: flags.force,
    ...(flags.module !== undefined ? { module: resolve(flags.module) } : {}),
    ...(flags.moduleRoot !== undefined ? { moduleRoot: resolve(flags.moduleRoot) } : {}),
  };
  const result = await ensureNodeImage(options);
  if (flags.json) {
    io.out.write(`${JSON.stringify({ ...result, root })}\n`);
    return 0;
  }
  const size = (result.sizeBytes / 1e6).toFixed(1);
  io.err.write(`${result.built ? 'built' : 'reused'} ${result.tag} from ${root} in ${result.seconds}s, ${size} MB\n`);
  if (result.unknownPackages !== undefined && result.unknownPackages.length > 0) {
    io.err.write(`not installed in the project, left out of the image: ${result.unknownPackages.join(', ')}\n`);
  }
  io.out.write(`${result.tag}\n`);
  return 0;
}
