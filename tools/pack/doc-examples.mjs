// The examples a new user copies from the documentation, taken from the documents themselves
// (never a copy that could drift): the README's "A taste" program, and the testing guide's
// module (section 1), first multi-node test (section 2) and kill fault test (section 4).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Thrown when a document no longer has the block the check runs. */
export class DocExampleError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DocExampleError';
  }
}

/** Every fenced code block of a Markdown text: { lang, code, heading } (the last ## heading above it). */
export function codeBlocks(markdown) {
  const blocks = [];
  let heading = '';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('## ')) heading = line.slice(3).trim();
    const open = line.match(/^```(\w*)\s*$/);
    if (!open) continue;
    const body = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
    blocks.push({ lang: open[1], code: `${body.join('\n')}\n`, heading });
  }
  return blocks;
}

function find(blocks, what, predicate) {
  const block = blocks.find(predicate);
  if (block === undefined) throw new DocExampleError(`no ${what}`);
  return block.code;
}

/** The README's "A taste" program (TypeScript). */
export function readmeExample(repoRoot) {
  const blocks = codeBlocks(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
  return find(blocks, 'TypeScript block under "## A taste" in README.md', (b) => b.lang === 'ts' && b.heading === 'A taste');
}

/**
 * The testing guide's files: `test/cart-node.mjs`, and `test/cart.spec.ts` with the guide's
 * killed-node test added to its describe block.
 * @returns {{ module: string, spec: string }}
 */
export function guideFiles(repoRoot) {
  const blocks = codeBlocks(readFileSync(join(repoRoot, 'docs/guides/testing.md'), 'utf8'));
  const module = find(blocks, '"// test/cart-node.mjs" block in docs/guides/testing.md', (b) => b.code.startsWith('// test/cart-node.mjs'));
  const spec = find(blocks, '"// test/cart.spec.ts" block in docs/guides/testing.md', (b) => b.code.startsWith('// test/cart.spec.ts'));
  const faults = find(blocks, 'fault test block in docs/guides/testing.md', (b) => b.code.includes('on a killed node gets DOWN noconnection'));
  const imports = faults.split('\n').filter((l) => l.startsWith('import ')).join('\n');
  const killTest = faults.split(/\n(?=it\()/).find((part) => part.includes('on a killed node'));
  if (killTest === undefined) throw new DocExampleError('no killed-node it() block in docs/guides/testing.md');
  const close = spec.lastIndexOf('});');
  if (close < 0) throw new DocExampleError('the guide\'s cart.spec.ts has no closing describe');
  const body = killTest.replace(/^import .*\n/gm, '').trim();
  return { module, spec: `${imports}\n${spec.slice(0, close)}\n${body}\n${spec.slice(close)}` };
}
