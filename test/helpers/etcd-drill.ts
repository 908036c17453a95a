// Bringing up what `slipway render` produced on real etcd (Debian's etcd-server/etcd-client): each
// machine in its own network namespace at its planned address, each member started from its
// rendered /etc/etcd/etcd.env, the worker's etcd proxy from its rendered unit's command line.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { ETCD_JOIN_ENV } from "../../bootstrap/parts/etcd-member";
import type { Cluster } from "../../clusters/model/load";
import { ignitionApply, requireTool } from "./ignition";
import { Lab, type LabProcess } from "./lab";
import { NodeRoot } from "./node-root";
import { ROOT } from "./clusters";

/**
 * PATH of processes run as the machine would run them. Debian's etcdctl stands in for the etcd
 * image's, which the machine's wrapper (/opt/slipway/bin/etcdctl) runs directly; machine-bin
 * holds an etcdutl stand-in (Debian's etcd 3.4 has none).
 */
export const HOST_PATH = `${join(__dirname, "machine-bin")}:/usr/sbin:/usr/bin:/sbin:/bin`;

export interface Machine {
  name: string;
  ip: string;
  ns: string;
  root: NodeRoot;
}

export interface Member extends Machine {
  env: Record<string, string>;
  process?: LabProcess;
}

/** `slipway render` through the CLI, as a user would run it (several at once). */
export async function renderWithCli(file: string, pki: string, jobs: { args: string[]; out: string }[]): Promise<void> {
  await Promise.all(
    jobs.map(
      (j) =>
        new Promise<void>((resolve, reject) => {
          const p = spawn(process.execPath, [join(ROOT, "bin", "slipway.js"), "render", file, "--pki", pki, "--out", j.out, ...j.args], {
            stdio: ["ignore", "ignore", "pipe"],
          });
          let err = "";
          p.stderr.on("data", (d) => {
            err += d;
          });
          p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`slipway render ${j.args.join(" ")}: ${err}`))));
        }),
    ),
  );
}

export class EtcdDrill {
  readonly lab: Lab;
  readonly members: Member[] = [];
  worker!: Machine;
  /** a master, when prepare() was asked for one: its API server talks to the members directly */
  master?: Machine;
  proxy?: LabProcess;

  constructor(
    readonly cluster: Cluster,
    readonly clusterFile: string,
    readonly dir: string,
    tag: string,
  ) {
    requireTool("/usr/bin/etcd", "etcd-server");
    requireTool("/usr/bin/etcdctl", "etcd-client");
    mkdirSync(join(dir, "logs"), { recursive: true });
    this.lab = new Lab(join(dir, "logs"), tag);
  }

  /** Render (CLI) and apply (real ignition) every member's and one worker's config; build the lab. */
  async prepare(tamper?: (member: Member) => void, opts: { master?: boolean } = {}): Promise<void> {
    const { plan } = this.cluster;
    const pool = plan.pools[0];
    if (!pool) throw new Error("no worker pool");
    const jobs = [
      ...plan.etcd.map((m) => ({ args: ["--role", "etcd", "--index", String(m.index)], out: join(this.dir, `${m.name}.ign`) })),
      { args: ["--role", "worker", "--pool", pool.name, "--index", "0"], out: join(this.dir, "worker.ign") },
      ...(opts.master ? [{ args: ["--role", "master", "--index", "0"], out: join(this.dir, "master.ign") }] : []),
    ];
    await renderWithCli(this.clusterFile, join(this.dir, "pki"), jobs);
    const prefix = this.cluster.plan.nodes.prefix;
    for (const m of plan.etcd) {
      const root = new NodeRoot(join(this.dir, "roots", m.name));
      ignitionApply(readFileSync(join(this.dir, `${m.name}.ign`), "utf8"), root.root);
      // the member's command line: etcd with no arguments, everything from its --env-file
      const exec = root.unit("etcd-member.service").execStart;
      const envFile = exec[exec.indexOf("--env-file") + 1] as string;
      expect(exec.slice(exec.indexOf("${ETCD_IMAGE}") + 1)).toEqual(["/usr/local/bin/etcd"]);
      const env = Object.fromEntries(Object.entries(root.envFile(envFile)).map(([k, v]) => [k, root.rewrite(v)]));
      this.members.push({ name: m.name, ip: m.ip, ns: this.lab.machine(`e${m.index}`, `${m.ip}/${prefix}`), root, env });
    }
    if (tamper) for (const m of this.members) tamper(m);
    const w = pool.nodes[0];
    if (!w) throw new Error("empty pool");
    const root = new NodeRoot(join(this.dir, "roots", w.name));
    ignitionApply(readFileSync(join(this.dir, "worker.ign"), "utf8"), root.root);
    this.worker = { name: w.name, ip: w.ip, ns: this.lab.machine("w0", `${w.ip}/${prefix}`), root };
    // emulation: what node-identity.service writes at boot from the cloud's metadata (its own test
    // runs the scripts against stand-in metadata services); here the worker's planned address
    mkdirSync(root.at("/run/slipway"), { recursive: true });
    writeFileSync(root.at("/run/slipway/node-identity.env"), `PROVIDER_ID=openstack:///test-${w.name}\nNODE_IP=${w.ip}\n`);
    const m = plan.masters[0];
    if (opts.master && m) {
      const mroot = new NodeRoot(join(this.dir, "roots", m.name));
      ignitionApply(readFileSync(join(this.dir, "master.ign"), "utf8"), mroot.root);
      this.master = { name: m.name, ip: m.ip, ns: this.lab.machine("m0", `${m.ip}/${prefix}`), root: mroot };
    }
  }

  /** Start etcd as the unit does: etcd.env, then what etcd-join decided for this start (if it ran). */
  startMember(m: Member): void {
    const join = m.root.at(ETCD_JOIN_ENV);
    const decided = existsSync(join) ? m.root.envFile(ETCD_JOIN_ENV) : {};
    m.process = this.lab.start(m.name, m.ns, ["etcd"], { PATH: HOST_PATH, ...m.env, ...decided });
  }

  /**
   * The member unit's etcd-join step, in the member's namespace with its unit's environment. Its
   * data volume is a bind mount made for this run only (a mount namespace of its own), unless
   * `mounted` is false.
   */
  join(m: Member, mounted = true) {
    const u = m.root.unit("etcd-member.service");
    const script = m.root.at(u.execStartPre.find((c) => c.endsWith("/etcd-join")) as string);
    const env: Record<string, string> = { ...m.root.serviceEnv("etcd-member.service"), PATH: HOST_PATH };
    const mount = env.ETCD_MOUNT as string;
    mkdirSync(mount, { recursive: true });
    const command = mounted
      ? ["unshare", "--mount", "--propagation", "private", "sh", "-c", 'mount --bind "$1" "$1" && exec "$2"', "sh", mount, script]
      : [script];
    return this.lab.exec(m.ns, command, env, 60_000);
  }

  /** The member unit's etcd-auth step (users, roles, authentication on), as its unit runs it. */
  auth(m: Member) {
    const { argv, env } = m.root.unitCommand("etcd-auth.service");
    return this.lab.exec(m.ns, argv, { ...env, PATH: HOST_PATH, POLL_SECONDS: "0.5" }, 60_000);
  }

  /** etcdctl in the worker's namespace with the worker's node client certificate (and etcd user). */
  etcdctl(args: string[], opts: { endpoints?: string; withCert?: boolean; timeouts?: boolean; withUser?: boolean } = {}) {
    const env = this.worker.root.serviceEnv("register-node.service");
    const e: Record<string, string> = {
      PATH: HOST_PATH,
      ETCDCTL_API: "3",
      ETCDCTL_ENDPOINTS: opts.endpoints ?? (env.ETCDCTL_ENDPOINTS as string),
      ETCDCTL_CACERT: env.ETCDCTL_CACERT as string,
      // short client timeouts for polling loops (a test-side choice, not a cluster setting)
      ETCDCTL_DIAL_TIMEOUT: "1s",
      ETCDCTL_COMMAND_TIMEOUT: "2s",
    };
    if (opts.withCert !== false) {
      e.ETCDCTL_CERT = env.ETCDCTL_CERT as string;
      e.ETCDCTL_KEY = env.ETCDCTL_KEY as string;
      // the node group's etcd user, as every node service has it (etcdctl.env)
      if (env.ETCDCTL_USER && opts.withUser !== false) e.ETCDCTL_USER = env.ETCDCTL_USER;
    }
    return this.lab.exec(this.worker.ns, ["etcdctl", ...args], e);
  }

  memberEndpoints(members = this.members): string {
    return members.map((m) => m.env.ETCD_ADVERTISE_CLIENT_URLS).join(",");
  }

  /** Poll until `check` passes or the deadline; returns seconds taken. */
  async until(what: string, seconds: number, check: () => boolean): Promise<number> {
    const start = Date.now();
    for (;;) {
      if (check()) return (Date.now() - start) / 1000;
      if (Date.now() - start > seconds * 1000) {
        const logs = this.lab.processes
          .map((p) => `--- ${p.name}\n${spawnSync("tail", ["-n", "8", p.log], { encoding: "utf8" }).stdout}`)
          .join("\n");
        throw new Error(`${what}: not within ${seconds}s\n${logs}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  healthy(members = this.members): boolean {
    return this.etcdctl(["endpoint", "health"], { endpoints: this.memberEndpoints(members) }).status === 0;
  }

  /** raft index and leader per member, read from the members themselves. */
  status(members = this.members): { endpoint: string; raftIndex: number; leader: string; memberId: string }[] {
    // no user: each authentication is itself a raft entry, which would move the indexes compared
    const r = this.etcdctl(["endpoint", "status", "-w", "json"], { endpoints: this.memberEndpoints(members), withUser: false });
    if (r.status !== 0) return [];
    return (
      JSON.parse(r.stdout) as {
        Endpoint: string;
        Status: { header: { member_id: number | string }; leader: number | string; raftIndex: number };
      }[]
    ).map((s) => ({
      endpoint: s.Endpoint,
      raftIndex: s.Status.raftIndex,
      leader: String(s.Status.leader),
      memberId: String(s.Status.header.member_id),
    }));
  }

  startProxy(): void {
    const exec = this.worker.root.unit("etcd-proxy.service").execStart;
    const at = exec.indexOf("grpc-proxy");
    expect(exec[at + 1]).toBe("start");
    const args = exec.slice(at + 2).map((a) => this.worker.root.rewrite(a));
    this.proxy = this.lab.start("etcd-proxy", this.worker.ns, ["etcd", "grpc-proxy", "start", ...args], { PATH: HOST_PATH });
  }

  async close(): Promise<void> {
    await this.lab.close();
  }
}
