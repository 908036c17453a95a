// The VM tier: the etcd tier and a worker as real virtual machines (qemu, software emulation),
// each running the Ignition config `slipway render` wrote under a real systemd as PID 1, on a
// private network inside a namespace this test makes. Everything is asserted from outside the
// machines: Debian's etcdctl and curl in the namespace, and ssh into each machine as the core user
// with the key the cluster file gives. What differs from Flatcar on OpenStack is declared in
// test/vm/emulation.ts and printed first.
//
// The drill, in order (each step builds on the one before): first boot, the worker through its
// proxy, a member rebooted while writes go on, instance loss (a new instance on the kept volume),
// a new empty volume for an existing member, a member's container killed, two members asking to
// reboot at once, the tier restored from a backup, and no unit failed on any machine.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bakedDemoFile, tmp } from "./helpers/clusters";
import { slipway } from "./helpers/run";
import { type Result, VmLab, waitFor } from "./helpers/vm";
import { describeEmulation } from "./vm/emulation";

const MIN = 60_000;
const work = tmp("slipway-vm-");
const drillStarted = Date.now();

const members = [0, 1, 2].map((i) => ({ name: `demo-etcd-${i}`, ip: `10.0.0.${16 + i}`, index: i }));
const worker = { name: "demo-general-0", ip: "10.0.0.64" };
const endpoints = members.map((m) => `https://${m.ip}:2379`).join(",");

/**
 * Units allowed to be failed at the end, with the reason for each. Empty: every unit of the
 * rendered configs, and every unit of the base, ends active or inactive.
 */
const ALLOWED_FAILED: Record<string, string> = {};

let lab: VmLab;
const configs = new Map<string, string>();
const pki = join(work.dir, "pki");
const dataDisks = new Map<string, string>();

function render(args: string[], out: string): string {
  const r = slipway(["render", file, ...args, "--pki", pki, "--out", out]);
  if (r.code !== 0) throw new Error(`slipway render ${args.join(" ")}: ${r.stderr}`);
  return readFileSync(out, "utf8");
}

let file = "";

/** Debian's etcdctl in the namespace, as etcd's root user (certificate CN=root from the local PKI). */
function etcdctl(args: string[], opts: { endpoints?: string; cert?: boolean; timeoutMs?: number; input?: string } = {}) {
  const tls = opts.cert === false ? [] : [`--cert=${join(pki, "etcd-root.crt")}`, `--key=${join(pki, "etcd-root.key")}`];
  return lab.outside(
    [
      "env",
      "ETCDCTL_API=3",
      "etcdctl",
      `--endpoints=${opts.endpoints ?? endpoints}`,
      `--cacert=${join(pki, "etcd-ca.crt")}`,
      ...tls,
      "--dial-timeout=3s",
      "--command-timeout=10s",
      ...args,
    ],
    opts.timeoutMs ?? 30_000,
    opts.input,
  );
}

/**
 * A write that a client would retry: with a member just lost, the others may be electing a
 * leader, and one attempt can time out under emulation (10 s); up to a minute in all.
 */
async function put(key: string, value: string): Promise<void> {
  for (let i = 0; ; i++) {
    const r = await etcdctl(["put", key, value]);
    if (r.code === 0) return;
    if (i === 5) ok(r, `put ${key}`);
    await new Promise((res) => setTimeout(res, 5000));
  }
}

const ok = (r: Result, what: string) => {
  if (r.code !== 0) throw new Error(`${what}: exit ${r.code}\n${r.stdout}${r.stderr}`);
  return r.stdout;
};

async function healthy(ip: string): Promise<boolean> {
  const r = await etcdctl(["endpoint", "health"], { endpoints: `https://${ip}:2379` });
  return r.code === 0;
}

/** member name → id (hex), from the cluster's member list */
async function memberIds(): Promise<Record<string, string>> {
  const out = ok(await etcdctl(["member", "list", "-w", "json"]), "member list");
  const list = JSON.parse(out) as { members: { ID: number | string; name: string }[] };
  // etcdctl prints the ids as JSON numbers beyond 2^53: take them from the text
  const ids = [...out.matchAll(/"ID":(\d+)/g)].map((m) => BigInt(m[1] as string).toString(16));
  return Object.fromEntries(list.members.map((m, i) => [m.name, ids[i] as string]));
}

async function bootId(name: string): Promise<string | undefined> {
  const r = await lab.ssh(name, "cat /proc/sys/kernel/random/boot_id", 20_000);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/**
 * A command that must succeed. ssh's own failures (exit 255: the emulated machine's sshd too slow
 * to answer within the connect timeout while the host is busy) are tried again, up to three
 * times, unless `once` (a command that must not run twice).
 */
async function sshOk(name: string, command: string, opts: { timeoutMs?: number; once?: boolean } = {}): Promise<string> {
  let r = await lab.ssh(name, command, opts.timeoutMs);
  for (let attempt = 1; r.code === 255 && !opts.once && attempt < 4; attempt++) {
    console.log(`${name}: ssh failed (${r.stderr.trim() || "exit 255"}); trying again (${attempt})`);
    await new Promise((res) => setTimeout(res, 5_000));
    r = await lab.ssh(name, command, opts.timeoutMs);
  }
  return ok(r, `${name}: ${command}`);
}

/** The filesystem UUID on a member's data volume, read on the machine. */
const volumeUuid = (name: string) => sshOk(name, "blkid -s UUID -o value /dev/vdb").then((s) => s.trim());

/** Until every member answers healthy; returns the seconds it took. */
async function quorum(timeoutMs: number): Promise<number> {
  const t = Date.now();
  await waitFor(
    "every etcd member healthy",
    async () => ((await Promise.all(members.map((m) => healthy(m.ip)))).every(Boolean) ? true : undefined),
    timeoutMs,
  );
  return (Date.now() - t) / 1000;
}

/** Writes through the cluster every second until stopped; how many succeeded. */
function writer(prefix: string) {
  let stop = false;
  let n = 0;
  /** when each write that succeeded was answered */
  const times: number[] = [];
  const done = (async () => {
    while (!stop) {
      const r = await etcdctl(["put", `${prefix}/${String(n).padStart(4, "0")}`, `${Date.now()}`]);
      if (r.code === 0) {
        n++;
        times.push(Date.now());
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    return n;
  })();
  return {
    stop: async () => {
      stop = true;
      return done;
    },
    get count() {
      return n;
    },
    times,
  };
}

/** Keys under a prefix as one member itself has them (serializable read: no quorum, its own data). */
async function localKeys(ip: string, prefix: string): Promise<string[]> {
  const out = ok(
    await etcdctl(["get", prefix, "--prefix", "--keys-only", "--consistency=s"], { endpoints: `https://${ip}:2379` }),
    "local get",
  );
  return out.split("\n").filter(Boolean);
}

/** Units that ended failed on a machine, less the allow-list. */
async function failedUnits(name: string): Promise<string[]> {
  const out = await sshOk(name, "systemctl list-units --failed --plain --no-legend --no-pager");
  return out
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0] as string)
    .filter((u) => u && !(u in ALLOWED_FAILED));
}

async function dumpOnFailure(): Promise<void> {
  for (const [name, vm] of lab?.vms ?? []) {
    const r = await lab.ssh(
      name,
      "systemctl --failed --no-legend; journalctl -b --no-pager -n 60 -u coordinate-reboot -u etcd-join -u systemd-logind",
      30_000,
    );
    // the console too: a machine that does not answer may be rebooting, or have panicked
    let serial = "";
    try {
      serial = readFileSync(vm.serialLog, "utf8").split("\n").slice(-40).join("\n");
    } catch {
      serial = "(no console log)";
    }
    console.log(`--- ${name} ---\n${r.stdout}${r.stderr}\n--- ${name} console ---\n${serial}`);
  }
}

// The steps build on each other: after a failed one, the rest fail at once naming it.
let failedStep: string | undefined;
/** The Terraform resources `slipway etcd replace --member 2 [extra]` says to replace (its -replace= targets). */
function replaceTargets(extra: string[]): string[] {
  const r = slipway(["etcd", "replace", file, "--member", "2", ...extra]);
  expect(r.code, r.stderr).toBe(0);
  const apply = r.stdout.split("\n").find((l) => l.startsWith("terraform -chdir=")) ?? "";
  return [...apply.matchAll(/-replace=(\S+)/g)].map((x) => x[1] as string);
}

function step(name: string, body: () => Promise<void> | void, timeoutMs: number) {
  it(
    name,
    async () => {
      if (failedStep) throw new Error(`not run: the earlier step "${failedStep}" failed`);
      try {
        await body();
      } catch (e) {
        failedStep = name;
        await dumpOnFailure();
        throw e;
      }
    },
    timeoutMs,
  );
}

describe("VM tier: the etcd tier and a worker in real virtual machines", () => {
  beforeAll(async () => {
    const key = join(work.dir, "id_ed25519");
    const kg = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "slipway-vm-test", "-f", key], { encoding: "utf8" });
    if (kg.status !== 0) throw new Error(`ssh-keygen: ${kg.stderr}`);
    // the demo on an image with Kubernetes baked in (nothing to download at first boot), with
    // this test's key as the operator's
    ({ file } = bakedDemoFile(work.dir, [[["ssh", "authorizedKeys"], [readFileSync(`${key}.pub`, "utf8").trim()]]]));
    for (const m of members) configs.set(m.name, render(["--role", "etcd", "--index", String(m.index)], join(work.dir, `${m.name}.ign`)));
    configs.set(worker.name, render(["--role", "worker", "--pool", "general", "--index", "0"], join(work.dir, `${worker.name}.ign`)));
    lab = new VmLab(work.dir, key, "10.0.0.1/16");
    console.log(describeEmulation(lab.base.etcdStandIn));
    console.log(`base image ${lab.base.dir}: ${lab.base.built ? `built in ${lab.base.seconds.toFixed(0)} s` : "cached"}`);
  }, 35 * MIN);

  afterAll(async () => {
    await lab?.close();
    work.cleanup();
    console.log(`VM drill wall time: ${((Date.now() - drillStarted) / 1000).toFixed(0)} s`);
  }, 5 * MIN);

  it("runs the configs exactly as slipway render writes them", () => {
    // rendering again from the same PKI gives the same bytes: what the machines got is what render writes
    for (const m of members)
      expect(render(["--role", "etcd", "--index", String(m.index)], join(work.dir, `again-${m.name}.ign`))).toBe(configs.get(m.name));
    expect(render(["--role", "worker", "--pool", "general", "--index", "0"], join(work.dir, "again-worker.ign"))).toBe(
      configs.get(worker.name),
    );
  });

  step(
    "first boot: volumes formatted once and mounted before etcd, a 3-member mutual-TLS cluster, the worker registered",
    async () => {
      const booted = Date.now();
      for (const m of members) {
        const disk = lab.disk(`${m.name}-data`);
        dataDisks.set(m.name, disk);
        lab.boot({ name: m.name, ip: m.ip, config: configs.get(m.name) as string, disks: [disk] });
      }
      await quorum(15 * MIN);
      console.log(`boot to quorum: ${((Date.now() - booted) / 1000).toFixed(0)} s`);
      // the worker once the tier answers: four guests booting at once on two cores slow each
      // other's first boot by half again, and the worker needs the cluster anyway
      lab.boot({ name: worker.name, ip: worker.ip, config: configs.get(worker.name) as string });
      // where an emulated boot spends its time (for tuning the tier; not asserted)
      const blame = await lab.ssh(
        (members[0] as (typeof members)[number]).name,
        "systemctl list-jobs --no-pager | head -n 15; journalctl -b -o short-monotonic --no-pager -g 'Reached target|Started (docker|containerd|etcd-member|ssh|systemd-networkd)' | tail -n 25",
        60_000,
      );
      console.log(`${(members[0] as (typeof members)[number]).name}: ${blame.stdout}${blame.stderr}`);

      const ids = await memberIds();
      expect(Object.keys(ids).sort()).toEqual(members.map((m) => m.name));
      for (const m of members) {
        // formatted exactly once: one "creating" line in this (the first) boot, and a filesystem there
        const journal = await sshOk(m.name, "journalctl -b -u etcd-data -o cat");
        expect(journal.match(/is empty; creating an ext4 filesystem/g) ?? [], m.name).toHaveLength(1);
        expect(await sshOk(m.name, "findmnt -n -o SOURCE /var/lib/etcd"), m.name).toBe("/dev/vdb\n");
        // mounted before etcd started: etcd-data finished before the first start of etcd-member
        const mounted = Number((await sshOk(m.name, "systemctl show -P ActiveEnterTimestampMonotonic etcd-data.service")).trim());
        const first = await sshOk(m.name, "journalctl -b -u etcd-member -o json --output-fields=MESSAGE | grep -m1 'Starting etcd-member'");
        const etcdStart = Number((JSON.parse(first) as { __MONOTONIC_TIMESTAMP: string }).__MONOTONIC_TIMESTAMP);
        expect(mounted, m.name).toBeGreaterThan(0);
        expect(mounted, `${m.name}: volume mounted before etcd starts`).toBeLessThan(etcdStart);
      }

      // mutual TLS: no client certificate, no answer (TLS handshake refused), on every member
      for (const m of members) {
        const bare = await lab.outside([
          "curl",
          "--silent",
          "--max-time",
          "10",
          "--cacert",
          join(pki, "etcd-ca.crt"),
          `https://${m.ip}:2379/version`,
        ]);
        expect(bare.code, `${m.ip} answered a client without a certificate`).not.toBe(0);
        expect((await etcdctl(["get", "x"], { endpoints: `https://${m.ip}:2379`, cert: false })).code).not.toBe(0);
      }

      // the worker: its register_node record, through its own proxy, holds only its cluster address
      const record = await waitFor(
        "the worker's register_node record",
        async () => {
          const r = await lab.ssh(worker.name, `/opt/slipway/bin/etcdctl get /slipway/nodes/${worker.name} --print-value-only`, 60_000);
          return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
        },
        10 * MIN,
        10_000,
      );
      expect(JSON.parse(record)).toMatchObject({ hostname: worker.name, role: "worker", pool: "general", address: worker.ip });
      // …although the worker has other addresses (docker0) that a careless lookup would pick
      expect(await sshOk(worker.name, "ip -4 -o addr show docker0")).toMatch(/inet 172\.17\./);
      // its etcdctl went through the proxy on 127.0.0.1:2379, which listens there only
      expect(await sshOk(worker.name, "grep ^ETCDCTL_ENDPOINTS= /etc/slipway/etcdctl.env")).toBe(
        "ETCDCTL_ENDPOINTS=https://127.0.0.1:2379\n",
      );
      const listening = await sshOk(worker.name, "ss -Hltn 'sport = :2379'");
      expect(
        listening
          .trim()
          .split("\n")
          .map((l) => l.split(/\s+/)[3]),
      ).toEqual(["127.0.0.1:2379"]);
      // and the proxy presents the worker's own certificate upstream: the pool's etcd user
      expect(await sshOk(worker.name, "grep -c '^ETCDCTL_USER=node-pool-general:' /etc/slipway/etcdctl.env")).toBe("1\n");
      // every machine is recorded from outside too, each with its planned address
      await waitFor(
        "all four machines registered",
        async () => {
          const out = ok(await etcdctl(["get", "/slipway/nodes/", "--prefix", "--print-value-only"]), "get nodes");
          const recs = out
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { hostname: string; address: string });
          if (recs.length < 4) return undefined;
          const byName = Object.fromEntries(recs.map((r) => [r.hostname, r.address]));
          expect(byName).toEqual(Object.fromEntries([...members, worker].map((m) => [m.name, m.ip])));
          return true;
        },
        10 * MIN,
      );
    },
    40 * MIN,
  );

  step(
    "instance loss, replaced as `slipway etcd replace` says: a new instance on the kept volume rejoins with its data; one on a new empty volume (--new-volume) is removed and added again, never a fresh member under the old id",
    async () => {
      const m = members[2] as (typeof members)[number];
      const ids = await memberIds();
      const uuid = await volumeUuid(m.name);
      // the way forward `slipway etcd replace` prints; the lab then does what those targets mean
      const keep = replaceTargets([]);
      expect(keep).toEqual([`openstack_compute_instance_v2.etcd_${m.index}`]);
      await lab.destroy(m.name);
      await waitFor("the lost member unhealthy", async () => ((await healthy(m.ip)) ? undefined : true), 2 * MIN, 2000);
      for (let i = 0; i < 5; i++) await put(`/drill/loss/${i}`, "written while the instance was gone");
      // what Terraform does when an instance is replaced: a fresh root disk, the same volume
      lab.boot({ name: m.name, ip: m.ip, config: configs.get(m.name) as string, disks: [dataDisks.get(m.name) as string] });
      await waitFor("the replaced member healthy", async () => ((await healthy(m.ip)) ? true : undefined), 15 * MIN);
      expect((await memberIds())[m.name], "same member id").toBe(ids[m.name]);
      expect(await volumeUuid(m.name)).toBe(uuid);
      expect(await sshOk(m.name, "journalctl -b -u etcd-member -o cat")).toMatch(/has its data; starting as itself/);
      await waitFor(
        "the writes made while it was gone",
        async () => ((await localKeys(m.ip, "/drill/loss/")).length === 5 ? true : undefined),
        2 * MIN,
      );

      // and once more, the volume lost too: a new empty volume (and its attachment), as
      // `slipway etcd replace --new-volume` prints
      expect(replaceTargets(["--new-volume"]).sort()).toEqual(
        [
          `openstack_compute_instance_v2.etcd_${m.index}`,
          `openstack_blockstorage_volume_v3.etcd_${m.index}_data`,
          `openstack_compute_volume_attach_v2.etcd_${m.index}_data_attach`,
        ].sort(),
      );
      await lab.destroy(m.name);
      await put("/drill/loss/5", "written while the member had no volume");
      lab.boot({ name: m.name, ip: m.ip, config: configs.get(m.name) as string, disks: [lab.disk(`${m.name}-data-new`)] });
      await waitFor("the member on a new volume healthy", async () => ((await healthy(m.ip)) ? true : undefined), 15 * MIN);
      const after = await memberIds();
      expect(Object.keys(after).sort()).toEqual(members.map((x) => x.name));
      expect(after[m.name], "a new member id: the old member was removed, not impersonated").not.toBe(ids[m.name]);
      expect(await sshOk(m.name, "journalctl -b -u etcd-member -o cat")).toMatch(
        /its data is gone \(a new volume\?\): removing it and adding it again/,
      );
      await waitFor(
        "the new member caught up",
        async () => ((await localKeys(m.ip, "/drill/loss/")).length === 6 ? true : undefined),
        3 * MIN,
      );
    },
    45 * MIN,
  );

  step(
    "a member's container killed: systemd starts it again",
    async () => {
      const m = members[0] as (typeof members)[number];
      const restarts = Number((await sshOk(m.name, "systemctl show -P NRestarts etcd-member.service")).trim());
      await sshOk(m.name, "docker kill etcd-member", { once: true });
      await waitFor(
        "etcd-member restarted",
        async () => {
          const n = Number((await sshOk(m.name, "systemctl show -P NRestarts etcd-member.service")).trim());
          return n > restarts && (await healthy(m.ip)) ? true : undefined;
        },
        5 * MIN,
      );
    },
    10 * MIN,
  );

  step(
    "the worker rode out a member's loss and replacement (a new member id at the same address): its proxy still answers, no unit failed; then it stops",
    async () => {
      // after member 2 came back on a new volume (a new member id at the same address), the
      // worker's proxy still reaches the cluster with the worker's own credentials
      const key = `/slipway/nodes/${worker.name}`;
      const r = await waitFor(
        "the worker reads through its proxy",
        async () => {
          const g = await lab.ssh(worker.name, `/opt/slipway/bin/etcdctl get ${key} --print-value-only`, 60_000);
          return g.code === 0 && g.stdout.trim() ? g.stdout.trim() : undefined;
        },
        5 * MIN,
        10_000,
      );
      expect(JSON.parse(r)).toMatchObject({ hostname: worker.name, address: worker.ip });
      expect(await failedUnits(worker.name), worker.name).toEqual([]);
      // the coordinated reboots concern members only; four TCG guests on two cores slow every
      // step, so the worker's part ends here
      await lab.destroy(worker.name);
    },
    10 * MIN,
  );

  step(
    "coordinated reboots: two members asking at once reboot one after the other, never together, each back as itself with its data and every write made meanwhile",
    async () => {
      const pair = [members[0], members[1]] as (typeof members)[number][];
      const boots = Object.fromEntries(await Promise.all(pair.map(async (m) => [m.name, await bootId(m.name)] as const)));
      const ids = await memberIds();
      const uuids = Object.fromEntries(await Promise.all(pair.map(async (m) => [m.name, await volumeUuid(m.name)] as const)));
      // writes go on through the cluster the whole time
      const w = writer("/drill/reboot");
      // an update is installed on both (the emulated update engine reads this boot's id)
      for (const m of pair)
        await sshOk(
          m.name,
          "mkdir -p /var/lib/slipway-emulation && cat /proc/sys/kernel/random/boot_id > /var/lib/slipway-emulation/update-installed",
        );
      // down intervals, sampled from outside every 2 s
      const down: Record<string, [number, number][]> = {
        [(pair[0] as (typeof members)[number]).name]: [],
        [(pair[1] as (typeof members)[number]).name]: [],
      };
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          await Promise.all(
            pair.map(async (m) => {
              const up = await healthy(m.ip);
              const list = down[m.name] as [number, number][];
              const last = list[list.length - 1];
              const now = Date.now();
              if (!up) {
                if (last && last[1] === -1) return;
                list.push([now, -1]);
              } else if (last && last[1] === -1) last[1] = now;
            }),
          );
          await new Promise((r) => setTimeout(r, 2000));
        }
      })();
      // where the step spends its time (printed; not asserted)
      const t0 = Date.now();
      const mark = (what: string) => console.log(`coordinated reboots: ${what} after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      const started = await Promise.all(pair.map((m) => lab.ssh(m.name, "systemctl start --no-block coordinate-reboot.service", 30_000)));
      for (const r of started) ok(r, "start coordinate-reboot");

      // one of them reboots; the other is told to wait
      const first = await waitFor(
        "one member rebooting",
        async () => {
          for (const m of pair) {
            const b = await bootId(m.name);
            if (b && b !== boots[m.name]) return m;
          }
          // both runs over, no reboot, nobody holding the lock: etcd did not answer one of their
          // steps in time (they say so and leave it to the next run). Ask both again at once,
          // rather than wait for their timers' next run in five minutes.
          const held = await etcdctl(["get", "/slipway/reboot/control", "--print-value-only"]);
          if (held.code === 0 && held.stdout.trim() === "") {
            const states = await Promise.all(pair.map((m) => lab.ssh(m.name, "systemctl is-active coordinate-reboot.service", 20_000)));
            if (states.every((r) => r.stdout.trim() === "inactive")) {
              mark("both runs ended without the lock; asking again");
              await Promise.all(pair.map((m) => lab.ssh(m.name, "systemctl start --no-block coordinate-reboot.service", 30_000)));
            }
          }
          return undefined;
        },
        10 * MIN,
      );
      const second = pair.find((m) => m !== first) as (typeof members)[number];
      mark(`${first.name} back from its reboot (answering ssh)`);
      // While the first is away it holds the lock, so the second cannot reboot: now is when to
      // look at the second. Its run ended (or ends) without rebooting, saying why: the other holds
      // the lock, took it first, or etcd did not answer (its first read or a later step) while the
      // other went down — never a failed unit. (Once the first is back, the second's own timer
      // may take the lock and reboot at any moment: nothing below needs it reachable.)
      expect(await bootId(second.name), `${second.name} rebooted together with ${first.name}`).toBe(boots[second.name]);
      const why = new RegExp(
        `${first.name} reboots first|took the lock first|etcd does not answer yet|etcd did not answer \\(.*\\); trying again`,
      );
      await waitFor(
        `${second.name}'s run saying why it waits`,
        async () => (why.test(await sshOk(second.name, "journalctl -u coordinate-reboot -o cat")) ? true : undefined),
        5 * MIN,
      );
      expect(await sshOk(second.name, "systemctl is-failed coordinate-reboot.service || true")).not.toMatch(/^failed/);
      await waitFor("the first back and healthy", async () => ((await healthy(first.ip)) ? true : undefined), 15 * MIN);
      mark(`${first.name} healthy`);

      // the first, healthy again, gives the lock back (its timer would within minutes); then the
      // second's next run — the test's, or its own timer's — takes it and reboots
      const secondGone = async () => {
        const b = await bootId(second.name);
        return b === undefined || b !== boots[second.name];
      };
      await waitFor(
        "the first released the lock",
        async () => {
          await lab.ssh(first.name, "systemctl start coordinate-reboot.service", 5 * MIN);
          const held = ok(await etcdctl(["get", "/slipway/reboot/control", "--print-value-only"]), "get lock").trim();
          return held === "" || held.includes(second.name) || (await secondGone()) ? true : undefined;
        },
        10 * MIN,
        10_000,
      );
      mark("the lock given back");
      // (refused when the second is already going down: its own timer was first)
      await lab.ssh(second.name, "systemctl start --no-block coordinate-reboot.service", 30_000);
      await waitFor(
        "the second rebooted and healthy",
        async () => {
          const b = await bootId(second.name);
          return b && b !== boots[second.name] && (await healthy(second.ip)) ? true : undefined;
        },
        20 * MIN,
      );
      mark(`${second.name} back and healthy`);
      sampling = false;
      await sampler;
      const total = await w.stop();
      const a = down[first.name] as [number, number][];
      const b = down[second.name] as [number, number][];
      // each came back as itself: same member id, same volume, not formatted again, every write
      // readable from the member itself — writes made while it was away included
      // both up again: their boot ids now, to tell a further reboot from a slow answer below
      const after = Object.fromEntries(
        await Promise.all(
          pair.map(async (m) => [m.name, await waitFor(`${m.name} answering`, async () => bootId(m.name), 5 * MIN)] as const),
        ),
      );
      for (const m of pair) {
        expect((await memberIds())[m.name], `${m.name}: same member id`).toBe(ids[m.name]);
        expect(await volumeUuid(m.name), `${m.name}: same volume`).toBe(uuids[m.name]);
        expect(await sshOk(m.name, "journalctl -b -u etcd-data -o cat")).toMatch(/already has an ext4 filesystem; keeping its data/);
        const away = (down[m.name] as [number, number][]).map(([s0, e0]) => [s0, e0 === -1 ? Date.now() : e0] as const);
        expect(
          w.times.filter((t) => away.some(([s0, e0]) => s0 <= t && t <= e0)).length,
          `writes succeeded while ${m.name} was away`,
        ).toBeGreaterThan(0);
        await waitFor(
          `${m.name} has every write`,
          async () => ((await localKeys(m.ip, "/drill/reboot/")).length === total ? true : undefined),
          2 * MIN,
        );
      }
      // …and neither went down again once both were back
      for (const m of pair)
        expect(await waitFor(`${m.name} answering`, async () => bootId(m.name), 5 * MIN), `${m.name} rebooted again`).toBe(after[m.name]);
      console.log(`coordinated reboots: ${total} writes during the step`);
      expect(a.length, `${first.name} was seen down`).toBeGreaterThan(0);
      expect(b.length, `${second.name} was seen down`).toBeGreaterThan(0);
      for (const [s1, e1] of a)
        for (const [s2, e2] of b) {
          const end1 = e1 === -1 ? Date.now() : e1;
          const end2 = e2 === -1 ? Date.now() : e2;
          expect(s1 < end2 && s2 < end1, `${first.name} and ${second.name} were down at the same time`).toBe(false);
        }
      // the update counts as applied on both
      for (const m of pair) expect(await sshOk(m.name, "update_engine_client -status")).toMatch(/CURRENT_OP=UPDATE_STATUS_IDLE/);
    },
    45 * MIN,
  );

  step(
    "restore from a backup: `slipway etcd restore` refuses a healthy quorum, then with --force brings every member back from the snapshot as a new cluster",
    async () => {
      // a backup as etcd-backup makes it (its own test uploads real ones): a snapshot, gzip,
      // CMS to the cluster's etcd-backup certificate
      ok(await etcdctl(["put", "/drill/restore/kept", "written before the backup"]), "put");
      const snap = join(work.dir, "backup.db");
      ok(
        await etcdctl(["snapshot", "save", snap], { endpoints: `https://${(members[0] as (typeof members)[number]).ip}:2379` }),
        "snapshot save",
      );
      const backup = join(work.dir, "backup.db.gz.cms");
      const enc = spawnSync(
        "bash",
        [
          "-c",
          `gzip -c '${snap}' | openssl cms -encrypt -binary -aes-256-gcm -recip '${join(pki, "etcd-backup.crt")}' -outform DER -out '${backup}'`,
        ],
        { encoding: "utf8" },
      );
      expect(enc.status, enc.stderr).toBe(0);
      ok(await etcdctl(["put", "/drill/restore/lost", "written after the backup"]), "put");
      const idsBefore = await memberIds();
      const clusterBefore = JSON.parse(ok(await etcdctl(["endpoint", "status", "-w", "json"]), "status"))[0].Status.header.cluster_id;

      const restore = (extra: string[]) =>
        lab.outside(
          [
            process.execPath,
            join(__dirname, "..", "bin", "slipway.js"),
            "etcd",
            "restore",
            file,
            "--from",
            backup,
            "--pki",
            pki,
            "--ssh",
            `ssh -i ${lab.sshKey} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=15`,
            "--yes",
            ...extra,
          ],
          20 * MIN,
        );
      const refused = await restore([]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/has a healthy quorum: a restore throws away every write since the snapshot\. Give --force/);
      expect(refused.stderr).not.toMatch(/\n\s+at /); // one line, no stack
      // nothing happened: same members, no copy left on any
      expect(await memberIds()).toEqual(idsBefore);

      // each member's own clock, so its journal is read from the restore on (its earlier starts
      // as itself, at reboots, must not count)
      const since = Object.fromEntries(await Promise.all(members.map(async (m) => [m.name, (await sshOk(m.name, "date +%s")).trim()])));
      const t = Date.now();
      const r = await restore(["--force"]);
      expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/3 of 3 members healthy after the restore/);
      console.log(`restore: ${((Date.now() - t) / 1000).toFixed(0)} s\n${r.stdout}`);
      await quorum(5 * MIN);
      // the snapshot's state, nothing after it; a new cluster (new ids), the same three names
      expect(ok(await etcdctl(["get", "/drill/restore/kept", "--print-value-only"]), "get")).toBe("written before the backup\n");
      expect(ok(await etcdctl(["get", "/drill/restore/lost", "--print-value-only"]), "get")).toBe("");
      const idsAfter = await memberIds();
      expect(Object.keys(idsAfter).sort()).toEqual(members.map((m) => m.name));
      for (const m of members) expect(idsAfter[m.name], m.name).not.toBe(idsBefore[m.name]);
      expect(JSON.parse(ok(await etcdctl(["endpoint", "status", "-w", "json"]), "status"))[0].Status.header.cluster_id).not.toBe(
        clusterBefore,
      );
      for (const m of members) {
        // the old data kept beside the new; the copied snapshot gone; started through etcd-join as itself
        expect(await sshOk(m.name, "ls -d /var/lib/etcd/data.before-restore-* | wc -l")).toBe("1\n");
        expect(await sshOk(m.name, "test ! -e /var/lib/etcd/slipway-restore.db && echo gone")).toBe("gone\n");
        // (etcd's own lines follow by the hundred: only etcd-join's are read)
        expect(await sshOk(m.name, `journalctl -u etcd-member -o cat --since=@${since[m.name]} | grep -F 'etcd-join' || true`)).toMatch(
          /has its data; starting as itself/,
        );
      }
    },
    30 * MIN,
  );

  step(
    "no unit ends failed on the members either (allow-list: none)",
    async () => {
      const failed: Record<string, string[]> = {};
      for (const name of lab.vms.keys()) {
        const units = await failedUnits(name);
        if (units.length) failed[name] = units;
      }
      expect(failed).toEqual({});
      // the emulated image really stood in (and nothing pulled from a registry)
      expect(await sshOk((members[0] as (typeof members)[number]).name, "journalctl -t slipway-emulation -o cat | head -n 1")).toMatch(
        /registry\.k8s\.io\/etcd:v3\.6\.11@sha256:[0-9a-f]{64} stands in as slipway-emulation\/etcd:/,
      );
    },
    10 * MIN,
  );
});
