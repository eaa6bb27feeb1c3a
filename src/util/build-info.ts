// Replaced by scripts/build.mjs (esbuild's define) with package.json's version and the git
// commit the build was made from ("unknown" outside a git checkout).
declare const FOUNDATION_VERSION: string;
declare const FOUNDATION_COMMIT: string;

export const buildInfo = { version: FOUNDATION_VERSION, commit: FOUNDATION_COMMIT };
