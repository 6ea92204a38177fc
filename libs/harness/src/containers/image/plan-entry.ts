// The entries of an image plan: every path of the FROM-scratch root file system and where its
// bytes come from.

export interface DirEntry {
  readonly kind: 'dir';
  readonly dest: string;
  readonly mode: number;
}

/** A file copied (or hard-linked) from the host. */
export interface FileEntry {
  readonly kind: 'file';
  readonly dest: string;
  readonly src: string;
  readonly mode: number;
}

/** A file whose bytes are given (the /etc files). */
export interface ContentEntry {
  readonly kind: 'content';
  readonly dest: string;
  readonly content: string;
  readonly mode: number;
}

export interface SymlinkEntry {
  readonly kind: 'symlink';
  readonly dest: string;
  readonly target: string;
}

export type PlanEntry = DirEntry | FileEntry | ContentEntry | SymlinkEntry;

/** The image configuration (`docker import --change`). */
export interface ImageConfig {
  readonly layout: number;
  readonly entrypoint: readonly string[];
  readonly workdir: string;
  readonly user: string;
  readonly env: readonly string[];
}

export const byDest = (a: PlanEntry, b: PlanEntry): number => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0);
