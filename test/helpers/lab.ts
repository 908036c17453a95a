// A network lab for real-component tests: one network namespace per machine carrying its planned
// address, all joined by a bridge that itself lives in a namespace of the lab — no traffic ever
// reaches the host's network. Every namespace and every process the lab starts is recorded and
// removed by name and PID in `destroy()`, which also runs if the test process exits early or is
// told to stop by a signal.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";

export interface LabProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  log: string;
  exited: Promise<number | null>;
}

const run = (args: string[]) => {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim()}`);
};

/**
 * Delete the namespaces of labs whose test process is gone without cleaning up (killed by a signal
 * no handler runs for): they are named slw<pid><tag>-…, and no process has that pid any more.
 */
function sweepAbandoned(): void {
  const list = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "";
  for (const line of list.split("\n")) {
    const name = line.split(" ")[0] ?? "";
    const m = /^slw(\d+)[a-z]+-/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      spawnSync("ip", ["netns", "del", name]);
    }
  }
}

/** Labs alive in this process: a terminating signal (Ctrl-C, a CI timeout) removes them before the process goes. */
const live = new Set<Lab>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
function onSignal(signal: NodeJS.Signals): void {
  for (const lab of [...live]) lab.destroy();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // then die of the signal as if no handler had been there
  process.kill(process.pid, signal);
}

export class Lab {
  readonly namespaces: string[] = [];
  readonly processes: LabProcess[] = [];
  private readonly prefix: string;
  private readonly switchNs: string;
  /** addresses given to the bridge itself (the lab's own end: a gateway, a service address) */
  readonly bridgeAddresses: string[] = [];
  private destroyed = false;
  private readonly onExit = () => this.destroy();

  constructor(
    readonly logDir: string,
    tag: string,
  ) {
    this.prefix = `slw${process.pid}${tag}`;
    this.switchNs = `${this.prefix}-sw`;
    sweepAbandoned();
    process.once("exit", this.onExit);
    if (live.size === 0) for (const sig of SIGNALS) process.on(sig, onSignal);
    live.add(this);
    this.addNamespace(this.switchNs);
    run(["-n", this.switchNs, "link", "add", "br0", "type", "bridge"]);
    run(["-n", this.switchNs, "link", "set", "br0", "up"]);
  }

  private addNamespace(ns: string) {
    spawnSync("ip", ["netns", "del", ns]); // a leftover of a killed run
    run(["netns", "add", ns]);
    this.namespaces.push(ns);
    run(["-n", ns, "link", "set", "lo", "up"]);
  }

  /** The namespace holding the bridge (where taps, the bridge's own addresses and their servers live). */
  get switchNamespace(): string {
    return this.switchNs;
  }

  /** Give the bridge an address of its own, e.g. the planned gateway the machines route through. */
  bridgeAddress(cidr: string): void {
    run(["-n", this.switchNs, "addr", "add", cidr, "dev", "br0"]);
    this.bridgeAddresses.push(cidr);
  }

  /** A tap device on the bridge, for a virtual machine (it goes with the lab's namespace). */
  tap(name: string): void {
    run(["-n", this.switchNs, "tuntap", "add", name, "mode", "tap"]);
    run(["-n", this.switchNs, "link", "set", name, "master", "br0"]);
    run(["-n", this.switchNs, "link", "set", name, "up"]);
  }

  /** A machine: its own namespace, with `ip/prefix` on eth0, plugged into the lab's bridge. */
  machine(name: string, cidr: string): string {
    const ns = `${this.prefix}-${name}`;
    this.addNamespace(ns);
    const port = `p${this.namespaces.length}`;
    run(["-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", this.switchNs]);
    run(["-n", this.switchNs, "link", "set", port, "master", "br0"]);
    run(["-n", this.switchNs, "link", "set", port, "up"]);
    run(["-n", ns, "addr", "add", cidr, "dev", "eth0"]);
    run(["-n", ns, "link", "set", "eth0", "up"]);
    return ns;
  }

  /** Start a long-running process inside a namespace; output goes to <logDir>/<name>.log. */
  start(name: string, ns: string, command: string[], env: Record<string, string>): LabProcess {
    const log = join(this.logDir, `${name}.log`);
    const fd = openSync(log, "a");
    // `ip netns exec` and setpriv exec the command in place: the PID we get is the process itself.
    // --pdeathsig: it dies with the test process however that ends (SIGKILL, which no handler sees)
    const child = spawn("ip", ["netns", "exec", ns, "setpriv", "--pdeathsig", "KILL", ...command], { env, stdio: ["ignore", fd, fd] });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${name}`);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const p = { name, pid: child.pid, child, log, exited };
    this.processes.push(p);
    return p;
  }

  /** SIGKILL a process by PID and wait until it is gone. */
  async kill(p: LabProcess): Promise<void> {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
      await p.exited;
    }
  }

  /** Run a short command inside a namespace. */
  exec(ns: string, command: string[], env: Record<string, string>, timeoutMs = 15_000) {
    return spawnSync("ip", ["netns", "exec", ns, ...command], { env, encoding: "utf8", timeout: timeoutMs });
  }

  /** Kill every process and wait for them, then delete the namespaces. */
  async close(): Promise<void> {
    for (const p of this.processes) await this.kill(p);
    this.destroy();
  }

  /** Kill every process (by PID) and delete every namespace (by name). Safe to call twice. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.removeListener("exit", this.onExit);
    live.delete(this);
    if (live.size === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
    for (const p of this.processes) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    for (const ns of [...this.namespaces].reverse()) spawnSync("ip", ["netns", "del", ns]);
  }
}
