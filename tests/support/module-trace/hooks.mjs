// Module resolve hook: reports each heavy client library the process loads on stderr.
const HEAVY = /node_modules\/(@gitbeaker\/[^/]+|@kubernetes\/client-node|@aws-sdk\/client-s3|listr2)\//;

/** Writes "module-trace: loaded <library>" when a resolved file (path or URL) is in a heavy library. */
export function reportIfHeavy(resolved) {
  const heavy = HEAVY.exec(resolved);
  if (heavy) process.stderr.write(`module-trace: loaded ${heavy[1]}\n`);
}

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  reportIfHeavy(resolved.url);
  return resolved;
}
