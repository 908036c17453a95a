// Update reboots across time, on real etcd: the rendered coordinate-reboot step of workers (run as
// its unit runs it, in the worker's network namespace, through the worker's etcd proxy) and the
// masters' rendered drain-nodes step, with stand-ins for what belongs to the machine or to
// Kubernetes (update_engine_client, systemctl, kubectl — no API server runs here; what is proved
// is the protocol through etcd): one machine of a group at a time, drained before and uncordoned
// after by a master, a drain that a PodDisruptionBudget blocks cancels the reboot, the lock is
// kept alive across the holder's reboot and runs out when its holder dies, and etcd not answering
// at boot is no failure.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bakedDemoFile, tmp } from "./helpers/clusters";
import { EtcdDrill, HOST_PATH } from "./helpers/etcd-drill";

const work = tmp("slipway-reboot-");
afterAll(() => work.cleanup());

describe("update reboots", () => {
  const { file, cluster } = bakedDemoFile(work.dir);
  const d = new EtcdDrill(cluster, file, join(work.dir, "d"), "d");
  const stub = join(work.dir, "stub");
  const log = join(work.dir, "machine.log");
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    await d.prepare(undefined, { master: true });
    for (const m of d.members) d.startMember(m);
    await d.until("3 members healthy", 30, () => d.healthy());
    // as on every cluster: etcd's authentication on, each machine acting as its node group's user
    const auth = d.auth(d.members[0] as (typeof d.members)[number]);
    expect(auth.status, auth.stderr).toBe(0);
    d.startProxy();
    await d.until("proxy answering", 15, () => d.etcdctl(["endpoint", "health"]).status === 0);
    mkdirSync(stub);
    const tool = (name: string, body: string) => {
      writeFileSync(join(stub, name), `#!/bin/bash\n${body}\n`);
      chmodSync(join(stub, name), 0o755);
    };
    // an update is waiting for the machine named in pending-<host>
    tool(
      "update_engine_client",
      `[ -e ${work.dir}/pending-$(cat "$HOSTNAME_FILE") ] && echo CURRENT_OP=UPDATE_STATUS_UPDATED_NEED_REBOOT || echo CURRENT_OP=UPDATE_STATUS_IDLE`,
    );
    tool("systemctl", `echo "systemctl $* $(cat "$HOSTNAME_FILE")" >> ${log}`);
    // kubectl as the masters use it; a drain fails while pdb-blocks exists (as kubectl drain does
    // when an eviction keeps being refused until its --timeout)
    tool(
      "kubectl",
      `echo "kubectl $*" >> ${log}
if [ "$1" = drain ] && [ -e ${work.dir}/pdb-blocks ]; then
  echo "error when evicting pods/\\"web-0\\" -n \\"shop\\" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget." >&2
  echo "error: unable to drain node \\"$2\\" due to error: global timeout reached: 2s" >&2
  exit 1
fi`,
    );
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, "SIGKILL");
    await d.close();
  });

  const hostFile = (host: string) => {
    const f = join(work.dir, `${host}.hostname`);
    writeFileSync(f, `${host}\n`);
    return f;
  };
  /** coordinate-reboot on worker `host` (its rendered unit's environment), in the worker's namespace. */
  const reboot = (host: string, opts: { healthy?: boolean; env?: Record<string, string> } = {}) => {
    const root = d.worker.root;
    const child = spawn("ip", ["netns", "exec", d.worker.ns, root.at("/opt/slipway/bin/coordinate-reboot")], {
      env: {
        ...root.serviceEnv("coordinate-reboot.service"),
        PATH: `${stub}:${HOST_PATH}`,
        HOSTNAME_FILE: hostFile(host),
        // the rendered check asks the local kubelet; here the test says how it is
        REBOOT_HEALTH_CHECK: opts.healthy === false ? "false" : "true",
        REBOOT_POLL_SECONDS: "0.3",
        ...opts.env,
      },
    });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (x: Buffer) => {
      out += x;
    });
    child.stderr?.on("data", (x: Buffer) => {
      out += x;
    });
    // "exit", not "close": the lock keep-alive it leaves running (as on a machine) holds its stdout open
    return new Promise<{ code: number; out: string }>((resolve) => child.on("exit", (code) => resolve({ code: code ?? -1, out })));
  };
  /** one pass of a master's drain-nodes, with its rendered unit's environment (etcd through the worker's proxy here). */
  const drainPass = () => {
    const m = d.master;
    if (!m) throw new Error("no master");
    const env = m.root.serviceEnv("drain-nodes.service");
    const w = d.worker.root.serviceEnv("coordinate-reboot.service");
    return d.lab.exec(d.worker.ns, [m.root.at("/opt/slipway/bin/drain-nodes")], {
      ...env,
      ETCDCTL_ENDPOINTS: w.ETCDCTL_ENDPOINTS as string,
      PATH: `${stub}:${HOST_PATH}`,
      HOSTNAME_FILE: hostFile(m.name),
      DRAIN_ONCE: "1",
      DRAIN_TIMEOUT: "2",
    });
  };
  /** a master keeps running drain-nodes while `p` runs */
  const withMaster = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    const result = p.finally(() => {
      done = true;
    });
    while (!done) {
      const r = drainPass();
      expect(r.status, r.stderr).toBe(0);
      await new Promise((x) => setTimeout(x, 200));
    }
    return result;
  };
  const machineLog = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);
  const lock = () => d.etcdctl(["get", "--print-value-only", "/slipway/reboot/pool-general"]).stdout.trim();

  it("etcd not answering at boot is no failure: the next run tries again", async () => {
    const r = await reboot("demo-general-1", { env: { ETCDCTL_ENDPOINTS: "https://127.0.0.1:1", ETCDCTL_DIAL_TIMEOUT: "1s" } });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("etcd does not answer yet; trying again at the next run");
  });

  it("etcd not answering in the middle of a run (an election; the VM tier saw it) is no failure either: no lock left, the next run tries again", async () => {
    writeFileSync(join(work.dir, "pending-demo-general-1"), "");
    // etcdctl as on a machine, except that one step times out as during an election
    const faulty = join(work.dir, "faulty");
    mkdirSync(faulty, { recursive: true });
    try {
      for (const step of ["lease grant", "txn"]) {
        writeFileSync(
          join(faulty, "etcdctl"),
          `#!/bin/bash\nif [ "$1 \${2:-}" = "${step}" ] || [ "$1" = "${step}" ]; then echo "Error: context deadline exceeded" >&2; exit 1; fi\nexec /usr/bin/etcdctl "$@"\n`,
        );
        chmodSync(join(faulty, "etcdctl"), 0o755);
        const r = await reboot("demo-general-1", { env: { PATH: `${faulty}:${stub}:${HOST_PATH}` } });
        expect(r.code, r.out).toBe(0);
        expect(r.out).toMatch(/etcd did not answer \((granting a lease|taking the lock)\); trying again at the next run/);
        expect(lock()).toBe("");
        expect(machineLog().filter((l) => l.startsWith("systemctl reboot"))).toEqual([]);
      }
    } finally {
      rmSync(join(work.dir, "pending-demo-general-1"));
    }
  });

  it("one machine of a pool at a time: drained by a master first, uncordoned after, the lock given back once healthy", async () => {
    writeFileSync(join(work.dir, "pending-demo-general-1"), "");
    writeFileSync(join(work.dir, "pending-demo-general-2"), "");
    const first = await withMaster(reboot("demo-general-1"));
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain("asking the masters to drain demo-general-1");
    expect(first.out).toContain("rebooting for the installed update (holding the pool-general lock)");
    expect(machineLog()).toEqual([
      "kubectl drain demo-general-1 --ignore-daemonsets --delete-emptydir-data --timeout=2s",
      "systemctl reboot demo-general-1",
    ]);
    expect(lock()).toBe("demo-general-1");
    // the lock lives under a lease of the configured length
    const env = d.worker.root.serviceEnv("coordinate-reboot.service");
    expect(env.REBOOT_DRAIN).toBe("yes");

    const second = await reboot("demo-general-2");
    expect(second.out).toContain("demo-general-1 reboots first");
    rmSync(join(work.dir, "pending-demo-general-1"));
    // back, not healthy yet: keeps the lock, stays cordoned
    expect((await reboot("demo-general-1", { healthy: false })).out).toContain("not healthy yet; keeping the pool-general lock");
    expect(lock()).toBe("demo-general-1");
    // healthy: uncordoned by a master, then the lock goes
    const back = await withMaster(reboot("demo-general-1"));
    expect(back.out).toContain("healthy again; released the pool-general lock");
    expect(machineLog().slice(-1)).toEqual(["kubectl uncordon demo-general-1"]);
    expect(lock()).toBe("");
    expect(d.etcdctl(["get", "--prefix", "/slipway/drain/"]).stdout).toBe("");

    const now = await withMaster(reboot("demo-general-2"));
    expect(now.out).toContain("rebooting");
    expect(machineLog().slice(-2)).toEqual([
      "kubectl drain demo-general-2 --ignore-daemonsets --delete-emptydir-data --timeout=2s",
      "systemctl reboot demo-general-2",
    ]);
    rmSync(join(work.dir, "pending-demo-general-2"));
    await withMaster(reboot("demo-general-2"));
    expect(lock()).toBe("");
  });

  it("a drain a PodDisruptionBudget does not allow cancels the reboot: uncordoned, the lock given back, tried again later", async () => {
    writeFileSync(join(work.dir, "pending-demo-general-0"), "");
    writeFileSync(join(work.dir, "pdb-blocks"), "");
    try {
      const before = machineLog().length;
      const r = await withMaster(reboot("demo-general-0"));
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/<4>coordinate-reboot: demo-general-0 could not be drained \(failed\); not rebooting now/);
      expect(machineLog().slice(before)).toEqual([
        "kubectl drain demo-general-0 --ignore-daemonsets --delete-emptydir-data --timeout=2s",
        "kubectl uncordon demo-general-0",
      ]);
      expect(lock()).toBe("");
    } finally {
      rmSync(join(work.dir, "pdb-blocks"));
      rmSync(join(work.dir, "pending-demo-general-0"));
    }
  });

  it("one pass of a master handles every request waiting, not only the first (etcdctl takes standard input on a machine)", async () => {
    expect(d.etcdctl(["put", "/slipway/drain/demo-general-0", "drain"]).status).toBe(0);
    expect(d.etcdctl(["put", "/slipway/drain/demo-general-1", "uncordon"]).status).toBe(0);
    const before = machineLog().length;
    const r = drainPass();
    expect(r.status, r.stderr).toBe(0);
    expect(machineLog().slice(before)).toEqual([
      "kubectl drain demo-general-0 --ignore-daemonsets --delete-emptydir-data --timeout=2s",
      "kubectl uncordon demo-general-1",
    ]);
    expect(d.etcdctl(["get", "--print-value-only", "/slipway/drain/demo-general-0"]).stdout.trim()).toBe("drained");
    expect(d.etcdctl(["get", "/slipway/drain/demo-general-1"]).stdout).toBe("");
    expect(d.etcdctl(["del", "/slipway/drain/demo-general-0"]).status).toBe(0);
  });

  it("a drain claimed by a master that died is taken over once the claim is old", async () => {
    const key = "/slipway/drain/demo-general-0";
    const stale = `draining:demo-master-2:${Math.floor(Date.now() / 1000) - 3600}`;
    expect(d.etcdctl(["put", key, stale]).status).toBe(0);
    const before = machineLog().length;
    const r = drainPass();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("the drain of demo-general-0 claimed by demo-master-2");
    expect(machineLog().slice(before)).toEqual(["kubectl drain demo-general-0 --ignore-daemonsets --delete-emptydir-data --timeout=2s"]);
    expect(d.etcdctl(["get", "--print-value-only", key]).stdout.trim()).toBe("drained");
    // a fresh claim of another master is left to it
    const fresh = `draining:demo-master-2:${Math.floor(Date.now() / 1000)}`;
    expect(d.etcdctl(["put", key, fresh]).status).toBe(0);
    drainPass();
    expect(machineLog()).toHaveLength(before + 1);
    expect(d.etcdctl(["get", "--print-value-only", key]).stdout.trim()).toBe(fresh);
    // drained for a reboot whose lock ran out before it was back: uncordoned all the same
    expect(d.etcdctl(["put", key, "drained"]).status).toBe(0);
    expect(lock()).toBe("");
    const back = await reboot("demo-general-0");
    expect(back.out).toContain("back from a reboot after the pool-general lock ran out; asked the masters to uncordon demo-general-0");
    expect(drainPass().status).toBe(0); // a master's next pass
    expect(machineLog().at(-1)).toBe("kubectl uncordon demo-general-0");
    expect(d.etcdctl(["get", "--prefix", "/slipway/drain/"]).stdout).toBe("");
  });

  it("the holder keeps its lock alive across its reboot; a holder that dies blocks its group only until the lease runs out", async () => {
    const ttl = { REBOOT_LOCK_TTL: "3", REBOOT_DRAIN: "no" };
    writeFileSync(join(work.dir, "pending-demo-general-1"), "");
    expect((await reboot("demo-general-1", { env: ttl })).out).toContain("rebooting");
    // back but unhealthy, for longer than the lease: every run refreshes it
    for (let i = 0; i < 4; i++) {
      await new Promise((x) => setTimeout(x, 1500));
      expect((await reboot("demo-general-1", { healthy: false, env: ttl })).out).toContain("keeping the pool-general lock");
    }
    expect(lock()).toBe("demo-general-1");
    writeFileSync(join(work.dir, "pending-demo-general-2"), "");
    expect((await reboot("demo-general-2", { env: ttl })).out).toContain("demo-general-1 reboots first");
    // demo-general-1 dies: nobody refreshes its lease
    await d.until("the dead holder's lock expires", 10, () => lock() === "");
    expect((await reboot("demo-general-2", { env: ttl })).out).toContain("rebooting for the installed update");
    expect(lock()).toBe("demo-general-2");
  });
});
