// Every machine of every default cluster file gets a kubelet: from its image when the file says the
// image has it baked in, else from Flatcar's Kubernetes extension that Ignition itself downloads,
// verifies and links at first boot — proved with the real ignition binary against an HTTPS server
// on loopback. A combination that cannot get a kubelet is refused when the file is read.
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderNode } from "../bootstrap/render";
import { kubernetesBinaries } from "../clusters/model/sysext";
import { awsCluster, awsYaml, demoCluster, demoYaml, ROOT, tmp } from "./helpers/clusters";
import { ignitionApply, ignitionValidate } from "./helpers/ignition";
import { parseCluster } from "../clusters/model/load";
import { type SysextServer, serveSysext } from "./helpers/sysext-server";

const work = tmp("slipway-k8s-bin-");
let server: SysextServer;
beforeAll(async () => {
  server = await serveSysext(work.dir);
});
afterAll(async () => {
  await server?.close();
  work.cleanup();
});

let n = 0;
async function applyWorker(changes: Parameters<typeof demoCluster>[0], aws = false) {
  const cluster = aws ? awsCluster(changes) : demoCluster(changes);
  const r = await renderNode(cluster, { target: { role: "worker", pool: "general" }, pkiDir: join(work.dir, "pki") });
  const root = join(work.dir, `root-${n++}`);
  return { cluster, config: r.config, root, apply: () => ignitionApply(r.config, root, { caFile: server.caFile }) };
}

describe("the Kubernetes binaries", () => {
  it("default to the download on AWS (Flatcar's AMIs have no kubelet) and on an OpenStack image not known to be baked", () => {
    expect(kubernetesBinaries(awsCluster().config)).toMatchObject({
      source: "sysext",
      url: "https://github.com/flatcar/sysext-bakery/releases/download/kubernetes-v1.36.1/kubernetes-v1.36.1-x86-64.raw",
    });
    expect(kubernetesBinaries(demoCluster().config).source).toBe("sysext");
    // an image selected by what `slipway image upload` recorded about it
    const baked = demoCluster([
      [["image"], { properties: { os_distro: "flatcar", slipway_kubernetes: "1.36.1" } }],
      [["kubernetes", "version"], "1.36.1"],
    ]);
    expect(kubernetesBinaries(baked.config).source).toBe("image");
    // arm64 machines download the arm64 extension
    const arm = awsCluster([
      [["image", "arch"], "arm64"],
      [["etcd", "instanceType"], "t4g.small"],
      [["masters", "instanceType"], "t4g.medium"],
      [["workers", 0, "instanceType"], "t4g.large"],
      [["workers", 1, "instanceType"], "t4g.large"],
    ]);
    expect(kubernetesBinaries(arm.config).url).toMatch(/kubernetes-v1\.36\.1-arm64\.raw$/);
  });

  it("are placed by Ignition: downloaded, verified, at the path the image builder bakes to, linked for systemd-sysext", async () => {
    const w = await applyWorker(server.changes());
    expect(ignitionValidate(w.config)).toEqual({ ok: true, output: "" });
    w.apply();
    const k = kubernetesBinaries(w.cluster.config);
    expect(k.path).toBe("/opt/extensions/kubernetes/kubernetes-v1.36.1-x86-64.raw");
    expect(readFileSync(join(w.root, k.path))).toEqual(server.payload);
    expect(readlinkSync(join(w.root, "etc/extensions/kubernetes.raw"))).toBe(k.path);
    expect(server.requests).toContain("/kubernetes-v1.36.1-x86-64.raw");
  });

  it("a download whose SHA-512 does not match stops first boot (Ignition fails) and places nothing", async () => {
    const w = await applyWorker([
      [["kubernetes", "binaries"], { source: "sysext", url: `${server.origin}/k.raw`, sha512: "0".repeat(128) }],
    ]);
    expect(() => w.apply()).toThrow(/hash|verification/i);
    expect(existsSync(join(w.root, "opt/extensions/kubernetes/kubernetes-v1.36.1-x86-64.raw"))).toBe(false);
  });

  it("a baked image downloads nothing: no file to fetch, no link (both are in the image)", async () => {
    const w = await applyWorker([[["kubernetes", "binaries", "source"], "image"]]);
    w.apply();
    expect(existsSync(join(w.root, "opt/extensions"))).toBe(false);
    expect(existsSync(join(w.root, "etc/extensions/kubernetes.raw"))).toBe(false);
  });

  it("nothing restarts systemd-sysext at boot (it would unmerge Flatcar's docker and containerd while they start)", async () => {
    const w = await applyWorker(server.changes());
    w.apply();
    const units = readdirSync(join(w.root, "etc/systemd/system")).filter((f) => /\.(service|timer)$/.test(f));
    const scripts = readdirSync(join(w.root, "opt/slipway/bin"));
    for (const f of [...units.map((u) => `etc/systemd/system/${u}`), ...scripts.map((s) => `opt/slipway/bin/${s}`)])
      expect(readFileSync(join(w.root, f), "utf8"), f).not.toMatch(
        /systemctl\s+(restart|reload|stop)\s+systemd-sysext|systemd-sysext\s+(refresh|unmerge)/,
      );
    // the kubelet starts after Flatcar's own merge of /etc/extensions
    expect(readFileSync(join(w.root, "etc/systemd/system/kubelet.service"), "utf8")).toMatch(/^After=.*\bsystemd-sysext\.service\b/m);
  });

  it("the URL reaches Ignition literally — %, $, quotes, parentheses and ; included — and the server sees it as written", async () => {
    const path = "/k8s/a%20b;reboot$(id)'q'!*(x)/kubernetes-v1.36.1-x86-64.raw?x=$HOME&y=%25";
    const w = await applyWorker(server.changes(path));
    w.apply();
    expect(server.requests).toContain(path);
  });

  it("refuses combinations that cannot get a kubelet, saying which field to set", () => {
    const refused = (text: string) => {
      try {
        parseCluster(text, "k.yaml");
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refused(awsYaml([[["kubernetes", "binaries", "source"], "image"]]))).toMatch(
      /kubernetes\.binaries\.source: is image, but Flatcar's AMIs carry no Kubernetes: remove it .* or set image\.ami/,
    );
    expect(
      refused(
        demoYaml([
          [["image"], { properties: { slipway_kubernetes: "1.35.9" } }],
          [["kubernetes", "binaries", "source"], "image"],
        ]),
      ),
    ).toMatch(
      /kubernetes\.binaries\.source: is image, but the selected image carries Kubernetes 1\.35\.9 .* kubernetes\.version is 1\.36\.1/,
    );
    expect(refused(demoYaml([[["kubernetes", "binaries"], { url: "https://mirror.example.com/k.raw" }]]))).toMatch(
      /kubernetes\.binaries\.sha512: is required with a url of your own/,
    );
    // AWS with an AMI of the operator's: allowed
    expect(() =>
      parseCluster(
        awsYaml([
          [["image", "ami"], "ami-0123456789abcdef0"],
          [["kubernetes", "binaries", "source"], "image"],
        ]),
        "k.yaml",
      ),
    ).not.toThrow();
  });

  it("both demo files boot: each of their machines gets a kubelet one way or the other", () => {
    for (const f of ["demo-openstack.yaml", "demo-aws.yaml"]) {
      const c = parseCluster(readFileSync(join(ROOT, "clusters", f), "utf8"), f);
      const k = kubernetesBinaries(c.config);
      expect(k.source === "image" || k.url?.startsWith("https://"), f).toBe(true);
    }
  });
});
