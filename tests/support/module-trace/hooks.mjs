// Module resolve hook: reports each heavy client library the process loads on stderr.
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const heavy = /node_modules\/(@gitbeaker\/[^/]+|@kubernetes\/client-node|@aws-sdk\/client-s3|listr2)\//.exec(resolved.url);
  if (heavy) process.stderr.write(`module-trace: loaded ${heavy[1]}\n`);
  return resolved;
}
