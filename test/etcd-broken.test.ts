// The etcd drill must be able to fail: the same rendered configs with one setting broken never
// become a healthy cluster. (If these ever pass healthy, the drill in etcd.test.ts proves nothing.)
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bakedDemoFile, tmp } from "./helpers/clusters";
import { EtcdDrill, type Member } from "./helpers/etcd-drill";

const work = tmp("slipway-etcd-broken-");
afterAll(() => work.cleanup());

async function drill(tag: string, tamper: (m: Member) => void): Promise<Error | undefined> {
  const { file, cluster } = bakedDemoFile(join(work.dir, `${tag}-file`));
  const d = new EtcdDrill(cluster, file, join(work.dir, tag), tag);
  try {
    await d.prepare(tamper);
    for (const m of d.members) d.startMember(m);
    await d.until("3 members healthy", 8, () => d.healthy());
    return undefined;
  } catch (e) {
    return e as Error;
  } finally {
    await d.close();
  }
}

describe("a broken rendered etcd setting makes the drill fail", () => {
  it("a wrong entry in one member's initial cluster", async () => {
    const err = await drill("x", (m) => {
      if (m.name === "demo-etcd-2") m.env.ETCD_INITIAL_CLUSTER = (m.env.ETCD_INITIAL_CLUSTER as string).replace("10.0.0.17", "10.0.0.99");
    });
    expect(err?.message).toMatch(/3 members healthy: not within 8s/);
  });

  it("a member certificate whose SAN is another member's address", async () => {
    const err = await drill("y", (m) => {
      if (m.name !== "demo-etcd-1") return;
      // install member 2's certificate and key on member 1: valid, same CA, wrong address
      const other = m.root.root.replace("demo-etcd-1", "demo-etcd-2");
      copyFileSync(join(other, "etc/ssl/etcd/member.crt"), m.root.at("/etc/ssl/etcd/member.crt"));
      copyFileSync(join(other, "etc/ssl/etcd/member.key"), m.root.at("/etc/ssl/etcd/member.key"));
    });
    expect(err?.message).toMatch(/3 members healthy: not within 8s/);
    expect(err?.message).toMatch(/bad certificate|doesn't contain any IP SANs|not 10\.0\.0\.17|tls/);
  });
});
