// The etcd layer on real etcd, from the configs `slipway render` writes: the members form a
// mutual-TLS cluster, the per-node proxy serves it (and refuses clients without a certificate),
// flannel's config step and register_node work against it, and it survives losing members, which
// rejoin from their data directories. Every machine runs in its own network namespace at its
// planned address (peers check certificates against the connecting address).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bakedDemoFile, tmp } from "./helpers/clusters";
import { EtcdDrill, HOST_PATH } from "./helpers/etcd-drill";

const work = tmp("slipway-etcd-");
afterAll(() => work.cleanup());

/** Write through the worker's proxy, retrying while the cluster elects a new leader. */
async function writeThroughProxy(d: EtcdDrill, key: string, value: string, seconds = 15): Promise<number> {
  return d.until(`write ${key} through the proxy`, seconds, () => d.etcdctl(["put", key, value]).status === 0);
}

describe("3 etcd members from the demo's rendered configs", () => {
  // with monitoring on: the master's config then carries Prometheus's etcd client certificate
  const { file, cluster } = bakedDemoFile(work.dir, [[["addons", "monitoring"], true]]);
  const d = new EtcdDrill(cluster, file, join(work.dir, "three"), "a");

  beforeAll(async () => {
    await d.prepare(undefined, { master: true });
  });
  afterAll(async () => {
    await d.close();
  });

  /** etcdctl as the master's API server: its --etcd-servers, CA, client certificate and key. */
  const asApiServer = (args: string[]) => {
    const m = d.master;
    if (!m) throw new Error("no master");
    const pod = JSON.parse(m.root.read("/etc/kubernetes/manifests/kube-apiserver.json"));
    const flags: Record<string, string> = Object.fromEntries(
      (pod.spec.containers[0].command as string[])
        .filter((a) => a.startsWith("--"))
        .map((a) => [a.slice(2, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]),
    );
    return d.lab.exec(m.ns, ["etcdctl", ...args], {
      PATH: HOST_PATH,
      ETCDCTL_ENDPOINTS: flags["etcd-servers"] ?? "",
      ETCDCTL_CACERT: m.root.at(flags["etcd-cafile"] ?? ""),
      ETCDCTL_CERT: m.root.at(flags["etcd-certfile"] ?? ""),
      ETCDCTL_KEY: m.root.at(flags["etcd-keyfile"] ?? ""),
      ETCDCTL_DIAL_TIMEOUT: "1s",
      ETCDCTL_COMMAND_TIMEOUT: "3s",
    });
  };

  it("form a healthy mutual-TLS cluster", async () => {
    for (const m of d.members) d.startMember(m);
    const seconds = await d.until("3 members healthy", 30, () => d.healthy());
    console.log(`etcd: 3 members healthy ${seconds.toFixed(1)} s after start`);
    const status = d.status();
    expect(status).toHaveLength(3);
    expect(new Set(status.map((s) => s.leader)).size).toBe(1);
    // client connections without a certificate are refused by the members themselves
    expect(d.etcdctl(["endpoint", "health"], { endpoints: d.memberEndpoints(), withCert: false }).status).not.toBe(0);
  });

  it("the master's API server reaches every member directly with its own certificate (no proxy on its path)", () => {
    const put = asApiServer(["put", "/registry/slipway-test", "from-apiserver"]);
    expect(put.status, put.stderr).toBe(0);
    // the endpoints it was given are the members, each of which answers it
    const status = asApiServer(["endpoint", "status", "-w", "json"]);
    expect(status.status, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { Endpoint: string }[]).map((s) => s.Endpoint).sort()).toEqual(
      d.members.map((m) => m.env.ETCD_ADVERTISE_CLIENT_URLS).sort(),
    );
  });

  it("the worker's rendered proxy serves the cluster on 127.0.0.1:2379; a client without a certificate is refused", async () => {
    d.startProxy();
    await d.until("proxy answering", 15, () => d.etcdctl(["endpoint", "health"]).status === 0);
    expect(d.etcdctl(["put", "/slipway/test/hello", "world"]).status).toBe(0);
    expect(d.etcdctl(["get", "--print-value-only", "/slipway/test/hello"]).stdout.trim()).toBe("world");
    // and it really is in the cluster, not in the proxy
    expect(d.etcdctl(["get", "--print-value-only", "/slipway/test/hello"], { endpoints: d.memberEndpoints() }).stdout.trim()).toBe("world");
    const anonymous = d.etcdctl(["get", "/slipway/test/hello"], { withCert: false });
    expect(anonymous.status).not.toBe(0);
  });

  it("with authentication on (every member's etcd-auth, twice): a worker's identity reaches neither /registry nor anything outside its prefixes; the API server's still does", () => {
    for (const m of [...d.members, d.members[0]]) {
      const r = d.auth(m as (typeof d.members)[number]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/etcd-auth: \d+ users and their roles are in place; authentication is on/);
    }
    const denied = (r: { status: number | null; stderr: string }) => r.status !== 0 && /permission denied/.test(r.stderr);
    // the worker, through its proxy, as its node group's user
    const first = d.etcdctl(["put", "/slipway/test/after-auth", "ok"]);
    expect(first.status, first.stderr).toBe(0);
    expect(d.etcdctl(["put", "/coreos.com/network/test", "ok"]).status).toBe(0);
    expect(denied(d.etcdctl(["get", "/registry/slipway-test"]))).toBe(true);
    expect(denied(d.etcdctl(["put", "/registry/pods/default/evil", "x"]))).toBe(true);
    expect(denied(d.etcdctl(["get", "--prefix", "/registry/secrets/"]))).toBe(true);
    expect(denied(d.etcdctl(["get", "/elsewhere"]))).toBe(true);
    // its certificate alone is no one (the proxy's has no name): nothing without the password
    const env = d.worker.root.serviceEnv("register-node.service");
    const asWorker = (user?: string) =>
      d.lab.exec(d.worker.ns, ["etcdctl", "get", "/slipway/test/after-auth"], {
        PATH: HOST_PATH,
        ETCDCTL_API: "3",
        ETCDCTL_ENDPOINTS: env.ETCDCTL_ENDPOINTS as string,
        ETCDCTL_CACERT: env.ETCDCTL_CACERT as string,
        ETCDCTL_CERT: env.ETCDCTL_CERT as string,
        ETCDCTL_KEY: env.ETCDCTL_KEY as string,
        ...(user ? { ETCDCTL_USER: user } : {}),
      });
    expect(asWorker().status).not.toBe(0);
    // nor directly at a member
    expect(denied(d.etcdctl(["get", "/registry/slipway-test"], { endpoints: d.memberEndpoints() }))).toBe(true);
    // a wrong password is refused
    const wrong = asWorker(`${(env.ETCDCTL_USER as string).split(":")[0]}:${"0".repeat(32)}`);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/authentication failed/);
    // the API server, by its certificate's name, keeps the whole Kubernetes keyspace — and only it
    const api = asApiServer(["get", "--print-value-only", "/registry/slipway-test"]);
    expect(api.stdout.trim(), api.stderr).toBe("from-apiserver");
    expect(asApiServer(["put", "/registry/secrets/default/s", "x"]).status).toBe(0);
    // its compactor keeps its revision outside /registry/ (k8s.io/apiserver storage/etcd3/compact.go)
    expect(asApiServer(["put", "compact_rev_key", "1"]).status).toBe(0);
    expect(denied(d.etcdctl(["put", "compact_rev_key", "1"]))).toBe(true);
    expect(denied(asApiServer(["put", "/slipway/nodes/forged", "x"]))).toBe(true);
  });

  it("Prometheus's certificate, as the master's bundle carries it, reads every member's /metrics over mutual TLS and nothing else", () => {
    const m = d.master;
    if (!m) throw new Error("no master");
    // the Secret the masters apply, its values filled in from the cluster PKI
    const list = JSON.parse(m.root.read("/etc/kubernetes/addons/25-secret-etcd-metrics.json")) as {
      items: { metadata: { name: string; namespace: string }; stringData: Record<string, string> }[];
    };
    const [secret] = list.items;
    expect(secret?.metadata).toEqual({ name: "etcd-metrics", namespace: "monitoring" });
    const dir = join(work.dir, "prometheus-secret");
    mkdirSync(dir, { recursive: true });
    for (const [k, v] of Object.entries(secret?.stringData ?? {})) writeFileSync(join(dir, k), v, { mode: 0o600 });
    // what the ServiceMonitor tells Prometheus: https://<member>:2379/metrics, verified, with the client certificate
    const scrape = (ip: string, withCert: boolean) =>
      d.lab.exec(
        m.ns,
        [
          "curl",
          "--silent",
          "--show-error",
          "--fail",
          "--max-time",
          "5",
          "--cacert",
          join(dir, "ca.crt"),
          ...(withCert ? ["--cert", join(dir, "tls.crt"), "--key", join(dir, "tls.key")] : []),
          `https://${ip}:2379/metrics`,
        ],
        { PATH: HOST_PATH },
      );
    for (const member of d.members) {
      const ip = new URL(member.env.ETCD_ADVERTISE_CLIENT_URLS as string).hostname;
      const r = scrape(ip, true);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^etcd_server_has_leader 1$/m);
      // without it, the member refuses the connection
      expect(scrape(ip, false).status).not.toBe(0);
    }
    // its name is no etcd user: with authentication on it reads no key at all
    const asPrometheus = (args: string[]) =>
      d.lab.exec(m.ns, ["etcdctl", ...args], {
        PATH: HOST_PATH,
        ETCDCTL_API: "3",
        ETCDCTL_ENDPOINTS: d.memberEndpoints(),
        ETCDCTL_CACERT: join(dir, "ca.crt"),
        ETCDCTL_CERT: join(dir, "tls.crt"),
        ETCDCTL_KEY: join(dir, "tls.key"),
        ETCDCTL_DIAL_TIMEOUT: "2s",
        ETCDCTL_COMMAND_TIMEOUT: "3s",
      });
    for (const args of [
      ["get", "/registry/slipway-test"],
      ["get", "--prefix", "/slipway/"],
      ["put", "/slipway/forged", "x"],
    ]) {
      const r = asPrometheus(args);
      expect(r.status, `${args.join(" ")}: ${r.stdout}`).not.toBe(0);
      expect(r.stderr).toMatch(/permission denied|user name not found|invalid auth token/);
    }
  });

  it("runs the rendered flannel network-config step: writes the config once, then leaves it", () => {
    const root = d.worker.root;
    const run = () =>
      d.lab.exec(d.worker.ns, [root.at("/opt/slipway/bin/flannel-network-config")], {
        ...root.serviceEnv("flannel-network-config.service"),
        PATH: HOST_PATH,
      });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain("wrote /coreos.com/network/config");
    expect(JSON.parse(d.etcdctl(["get", "--print-value-only", "/coreos.com/network/config"]).stdout)).toEqual(
      JSON.parse(d.worker.root.read("/etc/flannel/network.json")),
    );
    // the next machine to boot finds it set and leaves it alone
    const again = run();
    expect(again.stdout).toContain("is already set");
    expect(again.status).toBe(0);
  });

  it("register_node records only the machine's cluster address, under one lease a long-lived keep-alive refreshes", async () => {
    const root = d.worker.root;
    // the rendered unit's environment; the lease TTL is shortened so the test need not wait a minute
    const env = {
      ...root.serviceEnv("register-node.service"),
      PATH: HOST_PATH,
      REGISTER_NODE_TTL: "4",
      HOSTNAME_FILE: root.at("/etc/hostname"),
    };
    const key = `/slipway/nodes/${d.worker.name}`;
    const start = () => d.lab.start(`register-node-${Date.now()}`, d.worker.ns, [root.at("/opt/slipway/bin/register-node")], env);
    const registered = () => d.etcdctl(["get", "--print-value-only", key]).stdout.trim();
    let p = start();
    await d.until("record written", 10, () => registered() !== "");
    const record = JSON.parse(registered()) as Record<string, unknown>;
    // its cluster address only (what node-identity found), never an interface list
    expect(record).toEqual({ hostname: d.worker.name, role: "worker", pool: "general", address: d.worker.ip, bootId: record.bootId });
    expect(record.bootId).toMatch(/^[0-9a-f-]{36}$/);
    // one process keeps it: well past the TTL the record is still there, the lease refreshed
    await new Promise((r) => setTimeout(r, 6000));
    expect(registered()).not.toBe("");
    expect(p.child.exitCode).toBeNull();
    // …quietly: its journal has the registration, not a line per refresh
    expect(readFileSync(p.log, "utf8")).toMatch(/register-node: registered/);
    expect(readFileSync(p.log, "utf8")).not.toMatch(/keepalived/);
    // the machine dies: its record expires by itself
    await d.lab.kill(p);
    const gone = await d.until("record expired", 10, () => registered() === "");
    console.log(`register_node: record gone ${gone.toFixed(1)} s after the keep-alive stopped (TTL 4 s)`);
    // back up: registered again
    p = start();
    await d.until("registered again", 10, () => registered() !== "");
    await d.lab.kill(p);
  });

  it("survives losing a member (the leader); it restarts from its data directory and rejoins at the same raft index", async () => {
    const status = d.status();
    const leader = d.members.find((m) => status.find((s) => s.endpoint === m.env.ETCD_ADVERTISE_CLIENT_URLS && s.memberId === s.leader));
    if (!leader?.process) throw new Error("no leader found");
    await d.lab.kill(leader.process);
    const took = await writeThroughProxy(d, "/slipway/test/after-loss", "still-writable");
    console.log(`etcd: write through the proxy succeeded ${took.toFixed(1)} s after killing the leader ${leader.name}`);
    const rest = d.members.filter((m) => m !== leader);
    expect(d.etcdctl(["get", "--print-value-only", "/slipway/test/after-loss"], { endpoints: d.memberEndpoints(rest) }).stdout.trim()).toBe(
      "still-writable",
    );
    // the API server's client fails over past the dead member by itself
    const read = asApiServer(["get", "--print-value-only", "/registry/slipway-test"]);
    expect(read.status, read.stderr).toBe(0);
    expect(read.stdout.trim()).toBe("from-apiserver");

    d.startMember(leader); // same command, same data directory
    await d.until("all 3 healthy again", 20, () => d.healthy());
    expect(
      d
        .etcdctl(["get", "--print-value-only", "/slipway/test/after-loss"], { endpoints: leader.env.ETCD_ADVERTISE_CLIENT_URLS })
        .stdout.trim(),
    ).toBe("still-writable");
    await writeThroughProxy(d, "/slipway/test/after-rejoin", "yes");
    await d.until("same raft index on every member", 10, () => {
      const s = d.status();
      return s.length === 3 && new Set(s.map((x) => x.raftIndex)).size === 1;
    });
  });
});

describe("5 etcd members lose two", () => {
  const { file, cluster } = bakedDemoFile(work.dir, [[["etcd", "count"], 5]], "five.yaml");
  const d = new EtcdDrill(cluster, file, join(work.dir, "five"), "b");

  beforeAll(async () => {
    await d.prepare();
    for (const m of d.members) d.startMember(m);
    const s = await d.until("5 members healthy", 30, () => d.healthy());
    console.log(`etcd: 5 members healthy ${s.toFixed(1)} s after start`);
    d.startProxy();
    await d.until("proxy answering", 15, () => d.etcdctl(["endpoint", "health"]).status === 0);
  });
  afterAll(async () => {
    await d.close();
  });

  it("keeps taking writes through the proxy with 3 of 5, and both rejoin at the same raft index", async () => {
    const status = d.status();
    const leader = d.members.find((m) => status.find((s) => s.endpoint === m.env.ETCD_ADVERTISE_CLIENT_URLS && s.memberId === s.leader));
    const follower = d.members.find((m) => m !== leader);
    if (!leader?.process || !follower?.process) throw new Error("members not running");
    await d.lab.kill(leader.process);
    await d.lab.kill(follower.process);
    const took = await writeThroughProxy(d, "/slipway/test/five", "three-left");
    console.log(`etcd: with 2 of 5 members down, a write succeeded after ${took.toFixed(1)} s`);
    for (const m of [leader, follower]) d.startMember(m);
    await d.until("all 5 healthy again", 20, () => d.healthy());
    await writeThroughProxy(d, "/slipway/test/five-again", "all-back");
    await d.until("same raft index on all 5", 10, () => {
      const s = d.status();
      return s.length === 5 && new Set(s.map((x) => x.raftIndex)).size === 1;
    });
    for (const m of [leader, follower])
      expect(
        d.etcdctl(["get", "--print-value-only", "/slipway/test/five"], { endpoints: m.env.ETCD_ADVERTISE_CLIENT_URLS }).stdout.trim(),
      ).toBe("three-left");
  });
});
