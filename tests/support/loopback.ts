// Listening on and closing a stand-in's server: the same for every test server here.
import type { Server } from 'node:net';

/** Listens on 127.0.0.1 on a free port. */
export async function listenOnLoopback<S extends Server>(server: S): Promise<S> {
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  return server;
}

/** Closes the listener and any open connection (keep-alive clients would hold it open). */
export async function closeServer(server: Server & { closeAllConnections(): void }): Promise<void> {
  await new Promise<void>((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
}
