// The entry of dist/kubernetes-client.cjs (scripts/build.mjs): @kubernetes/client-node in one
// CommonJS bundle, loaded through V8's code cache (src/kube/library.ts). Its ES module build
// loads hundreds of files through Node's ESM loader, which costs a few hundred ms a run on Node 20.
module.exports = require('@kubernetes/client-node');
