// Injected into the CommonJS bundles by scripts/build.mjs: `import.meta.url` of the sources
// becomes the URL of the bundle file they were bundled into.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
