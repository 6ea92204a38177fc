// The steps of the installed-packages check, for e2e/installed-packages.e2e.ts (types: index.d.mts).
export { buildUserImage, runGuideTests, runReadmeExample, writeGuideTests } from './installed-checks.mjs';
export { PackError, packAll, publishablePackages } from './pack-packages.mjs';
export { REPO_ROOT } from './run.mjs';
export { createUserProject, UserProjectError } from './user-project.mjs';
export { DocExampleError, guideFiles, readmeExample } from './doc-examples.mjs';
