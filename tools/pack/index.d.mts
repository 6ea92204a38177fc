// Types of tools/pack/index.mjs (plain JavaScript: run by node without a build).

export declare const REPO_ROOT: string;

export declare class PackError extends Error {}
export declare class UserProjectError extends Error {}
export declare class DocExampleError extends Error {}

export interface PublishablePackage {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  readonly bin: boolean;
}

/** The workspace packages a user can install (libs/* and apps/* that are not private). */
export declare function publishablePackages(repoRoot: string): PublishablePackage[];
/** `npm pack` each one into destDir: package name -> tarball path. */
export declare function packAll(repoRoot: string, destDir: string): Map<string, string>;
/** A fresh npm project in a temp directory with the tarballs installed. */
export declare function createUserProject(repoRoot: string, tarballs: Map<string, string>): Promise<{ dir: string; installSeconds: number }>;

export declare function readmeExample(repoRoot: string): string;
export declare function guideFiles(repoRoot: string): { module: string; spec: string };

/** Compile and run the README's example in the project; resolves with its output once it printed the echo. */
export declare function runReadmeExample(repoRoot: string, dir: string, options?: { timeoutMs?: number }): Promise<string>;
export declare function writeGuideTests(repoRoot: string, dir: string): void;
export declare function buildUserImage(dir: string): Promise<{ tag: string; built: boolean; seconds: number; sizeBytes: number; packages: string[] }>;
export declare function runGuideTests(dir: string, mode: 'local' | 'containers'): Promise<{ numPassedTests: number; numFailedTests: number; numPendingTests: number }>;
