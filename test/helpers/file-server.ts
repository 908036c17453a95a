// A small HTTP server on 127.0.0.1 for tests: serves files from a directory, counts requests per
// path, and can misbehave on purpose (cut a response off halfway while promising the full length).
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";

export interface FileServer {
  url: string;
  requests: Map<string, number>;
  /** paths whose responses stop after this many bytes (the Content-Length still says the full size) */
  cutAfter: Map<string, number>;
  close(): Promise<void>;
}

export async function serveFiles(root: string): Promise<FileServer> {
  const requests = new Map<string, number>();
  const cutAfter = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const file = join(root, path);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    const size = statSync(file).size;
    res.writeHead(200, { "Content-Length": size, "Content-Type": "application/octet-stream" });
    const cut = cutAfter.get(path);
    if (cut === undefined) {
      createReadStream(file).pipe(res);
      return;
    }
    createReadStream(file, { end: cut - 1 })
      .on("data", (chunk) => res.write(chunk))
      .on("end", () => res.socket?.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cutAfter,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
