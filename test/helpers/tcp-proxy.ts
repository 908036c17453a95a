// A TCP proxy on 127.0.0.1 in front of a real server, to break things on purpose: cut every
// connection that has carried more than `cutAfter` bytes towards the server (a network failure in
// the middle of an upload), or slow both directions down to `bytesPerSecond` (time to press Ctrl-C).
import { createServer, type Socket, connect } from "node:net";

export interface TcpProxy {
  port: number;
  /** connections cut so far */
  cuts: number;
  close(): Promise<void>;
}

export async function tcpProxy(target: number, opts: { cutAfter?: number; bytesPerSecond?: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const state = { cuts: 0 };
  const server = createServer((client) => {
    const upstream = connect(target, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    // towards the client (downloads): slowed down too, when asked
    upstream.on("data", (chunk: Buffer) => {
      client.write(chunk);
      if (opts.bytesPerSecond) {
        upstream.pause();
        setTimeout(() => upstream.resume(), (chunk.length / opts.bytesPerSecond) * 1000);
      }
    });
    let sent = 0;
    client.on("data", (chunk: Buffer) => {
      sent += chunk.length;
      if (opts.cutAfter !== undefined && sent > opts.cutAfter) {
        state.cuts++;
        // an abrupt end, as a dropped link or a dying load balancer gives: RST, not FIN
        client.resetAndDestroy();
        upstream.resetAndDestroy();
        return;
      }
      upstream.write(chunk);
      if (opts.bytesPerSecond) {
        client.pause();
        setTimeout(() => client.resume(), (chunk.length / opts.bytesPerSecond) * 1000);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const a = server.address();
  const port = typeof a === "object" && a ? a.port : 0;
  return {
    port,
    get cuts() {
      return state.cuts;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
