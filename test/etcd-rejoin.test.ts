// An etcd member across time, on real etcd: the rendered etcd-join step (run as the member's unit
// runs it before etcd, in the member's network namespace) decides how each start goes, and etcd
// started with that decision does the rest. First boot with one member late; a member whose
// machine was replaced with its volume; a member whose volume is new and empty (its data lost)
// — which must come back as a proper member, not as a fresh one under its old name (with etcd's
// authentication on: the membership change is made as root, by the members' root certificate); and a member
// whose volume is not mounted, which must not start at all.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bakedDemoFile, tmp } from "./helpers/clusters";
import { EtcdDrill, type Member } from "./helpers/etcd-drill";

const work = tmp("slipway-rejoin-");
afterAll(() => work.cleanup());

describe("an etcd member across time", () => {
  const { file, cluster } = bakedDemoFile(work.dir);
  const d = new EtcdDrill(cluster, file, join(work.dir, "c"), "c");
  const member = (i: number) => d.members[i] as Member;
  const joined = (m: Member) => {
    const r = d.join(m);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    return r.stdout;
  };
  const list = () =>
    d
      .etcdctl(["member", "list"], { endpoints: d.memberEndpoints() })
      .stdout.trim()
      .split("\n")
      .map((l) => l.split(", "));

  beforeAll(async () => {
    await d.prepare();
  });
  afterAll(async () => {
    await d.close();
  });

  it("refuses to start a member whose data directory is not on a mounted volume", () => {
    const r = d.join(member(0), false);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^<3>etcd-join: .*\/var\/lib\/etcd is not a mounted volume; .* Not starting\.$/m);
  });

  it("first boot: members finding nobody form the cluster; one that comes late joins it as the member it was planned as", async () => {
    for (const i of [0, 1]) expect(joined(member(i))).toContain("the cluster is forming; starting as one of its first members");
    d.startMember(member(0));
    d.startMember(member(1));
    await d.until("2 of 3 members healthy", 30, () => d.healthy([member(0), member(1)]));
    const late = joined(member(2));
    expect(late).toContain(`the cluster lists ${member(2).name}, not started yet: joining it`);
    d.startMember(member(2));
    await d.until("3 members healthy", 30, () => d.healthy());
    expect(
      list()
        .map((l) => [l[1], l[2]])
        .sort(),
    ).toEqual(d.members.map((m) => ["started", m.name]).sort());
    // as on every machine: authentication on, so what follows (membership changes) is root's alone
    const auth = d.auth(member(0));
    expect(auth.status, auth.stderr).toBe(0);
    expect(d.etcdctl(["put", "/slipway/test/before", "kept"], { endpoints: d.memberEndpoints() }).status).toBe(0);
  });

  it("a replaced machine with its volume kept starts as itself", async () => {
    const m = member(0);
    await d.lab.kill(m.process as never);
    expect(joined(m)).toContain(`${m.name} has its data; starting as itself`);
    d.startMember(m);
    await d.until("3 members healthy", 30, () => d.healthy());
  });

  it("a member whose volume is new (its data lost) is removed and added again, and catches up from the others", async () => {
    const m = member(1);
    const before = list().find((l) => l[2] === m.name)?.[0];
    await d.lab.kill(m.process as never);
    rmSync(m.env.ETCD_DATA_DIR as string, { recursive: true, force: true });
    const out = joined(m);
    expect(out).toMatch(new RegExp(`<4>etcd-join: the cluster knows ${m.name} \\(${before}\\) as a member that ran, but its data is gone`));
    expect(out).toContain(`${m.name} joins the existing cluster`);
    d.startMember(m);
    await d.until("3 members healthy", 30, () => d.healthy());
    const after = list();
    expect(after).toHaveLength(3);
    const again = after.find((l) => l[2] === m.name);
    expect(again?.[1]).toBe("started");
    expect(again?.[0]).not.toBe(before);
    // its data came from the others
    await d.until("the lost member has the data again", 15, () => {
      const r = d.etcdctl(["get", "--print-value-only", "/slipway/test/before"], { endpoints: m.env.ETCD_ADVERTISE_CLIENT_URLS });
      return r.stdout.trim() === "kept";
    });
  });
});
