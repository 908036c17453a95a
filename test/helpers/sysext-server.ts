// An HTTPS server on 127.0.0.1 that stands in for where machines download Flatcar's Kubernetes
// system extension: a certificate from a CA made for the run (Ignition trusts it through
// SSL_CERT_FILE, as it trusts the system's CAs on a real machine), one payload at any path, and
// every request's raw path recorded. A cluster file pointing kubernetes.binaries.url at it has
// the real ignition binary fetch and verify the extension as a machine would.
//
// The server is a process of its own (killed by PID in close(), or when the test process exits):
// the tests run ignition synchronously, which would stall a server on their own event loop.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Changes } from "./clusters";
import { testCa } from "./test-ca";

export interface SysextServer {
  /** https://127.0.0.1:<port> */
  origin: string;
  /** the CA to trust (SSL_CERT_FILE for Ignition, --cacert for curl) */
  caFile: string;
  payload: Buffer;
  sha512: string;
  /** raw request paths, as they arrived */
  readonly requests: string[];
  /** cluster-file changes making machines download the extension from here */
  changes(path?: string): Changes;
  close(): Promise<void>;
}

export async function serveSysext(dir: string, payload = Buffer.from("a stand-in for kubernetes.raw\n")): Promise<SysextServer> {
  const ca = testCa(dir);
  writeFileSync(join(dir, "payload"), payload);
  const log = join(dir, "requests.log");
  writeFileSync(log, "");
  // one request path per line (JSON-encoded: a path may hold anything)
  const program = `
    const fs = require("node:fs"), https = require("node:https"), path = require("node:path");
    const dir = process.argv[1], payload = fs.readFileSync(path.join(dir, "payload"));
    const server = https.createServer(
      { key: fs.readFileSync(path.join(dir, "server.key")), cert: fs.readFileSync(path.join(dir, "server.crt")) },
      (req, res) => {
        fs.appendFileSync(path.join(dir, "requests.log"), JSON.stringify(req.url) + "\\n");
        res.writeHead(200, { "Content-Length": payload.length, "Content-Type": "application/octet-stream" }).end(payload);
      });
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ["-e", program, dir], { stdio: ["ignore", "pipe", "inherit"] });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) process.kill(child.pid, "SIGKILL");
  };
  process.once("exit", kill);
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(Number(out.trim()));
    });
    child.once("exit", (code) => reject(new Error(`sysext server exited (${code}) before listening`)));
  });
  const origin = `https://127.0.0.1:${port}`;
  const sha512 = createHash("sha512").update(payload).digest("hex");
  return {
    origin,
    caFile: ca.caFile,
    payload,
    sha512,
    get requests() {
      if (!existsSync(log)) return [];
      return readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string);
    },
    changes: (path = "/kubernetes-v1.36.1-x86-64.raw") => [
      [["kubernetes", "binaries"], { source: "sysext", url: `${origin}${path}`, sha512 }],
    ],
    close: async () => {
      process.removeListener("exit", kill);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      kill();
      await gone;
    },
  };
}
