// The container images a cluster pulls: every image reference anywhere in every machine's rendered
// config (units, env files, static pods, bootstrap manifests, containerd's config) is one that
// `slipway images` lists, from a registry without anonymous pull limits, and pinned by a
// well-formed digest unless the list says why not. A new image added to a part without a pin, or
// from Docker Hub, fails here.
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { NodeTarget } from "../bootstrap/node";
import { renderNode } from "../bootstrap/render";
import { clusterImages, imageRef } from "../bootstrap/versions";
import type { Cluster } from "../clusters/model/load";
import { awsCluster, bakedDemoCluster, tmp } from "./helpers/clusters";
import { decodeDataUrl } from "./helpers/ignition";
import { slipway } from "./helpers/run";

const work = tmp("slipway-images-");
afterAll(() => work.cleanup());

const REGISTRIES = ["registry.k8s.io", "quay.io", "ghcr.io", "public.ecr.aws"];
// registry-host/path:tag[@sha256:…] or registry-host/path@sha256:… — a URL (https://…) is not one
const IMAGE_RE = /(?<![\w/.:-])((?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?\/[a-z0-9._/-]+(?::[\w][\w.-]*)?(?:@sha256:[0-9a-f]{64})?)/g;

/** Every text a machine's Ignition config carries: file contents, units and their drop-ins. */
function texts(config: string): string[] {
  const c = JSON.parse(config);
  const out: string[] = [];
  for (const f of c.storage?.files ?? []) {
    const src: string | undefined = f.contents?.source;
    if (src?.startsWith("data:")) out.push(decodeDataUrl(src, f.contents.compression).toString("utf8"));
  }
  for (const u of c.systemd?.units ?? []) {
    if (u.contents) out.push(u.contents);
    for (const d of u.dropins ?? []) if (d.contents) out.push(d.contents);
  }
  return out;
}

async function imagesOf(cluster: Cluster): Promise<Set<string>> {
  const targets: NodeTarget[] = [
    { role: "etcd", index: 0 },
    { role: "master", index: 0 },
    ...cluster.plan.pools.map((p) => ({ role: "worker" as const, pool: p.name })),
  ];
  const found = new Set<string>();
  for (const target of targets) {
    const { config } = await renderNode(cluster, { target, pkiDir: join(work.dir, `pki-${cluster.config.name}`) });
    for (const t of texts(config))
      for (const m of t.matchAll(IMAGE_RE)) {
        const ref = m[1] as string;
        // image references have a tag or a digest; label keys and API groups (kubernetes.io/os) do not
        if (/:[\w][\w.-]*(@|$)|@sha256:/.test(ref.slice(ref.indexOf("/")))) found.add(ref);
      }
  }
  return found;
}

describe("container images", () => {
  it("every image any machine pulls is listed, from a registry without pull limits, pinned or saying why not", async () => {
    for (const cluster of [
      bakedDemoCluster(),
      awsCluster([
        [["image", "ami"], "ami-0123456789abcdef0"],
        [["kubernetes", "binaries", "source"], "image"],
      ]),
    ]) {
      const listed = clusterImages(cluster.config);
      const found = await imagesOf(cluster);
      // the scan finds them all (a scan that finds nothing proves nothing)
      expect([...found].sort()).toEqual(
        listed
          .filter((i) => !i.chart)
          .map((i) => imageRef(i.image))
          .sort(),
      );
      for (const { name, image } of listed) {
        expect(REGISTRIES, name).toContain(image.ref.split("/")[0]);
        if (image.digest) expect(image.digest, name).toMatch(/^sha256:[0-9a-f]{64}$/);
        else expect(image.tagOnly, `${name} has neither digest nor reason`).toMatch(/\w+ \w+ \w+/);
        // a tag, and not one that moves by design
        expect(image.ref, name).toMatch(/:[\w][\w.-]*$/);
        expect(image.ref, name).not.toMatch(/:(latest|stable|main|master)$/);
      }
    }
  });

  it("the rule has teeth: a Docker Hub image or a missing pin would be caught", () => {
    const text = `ExecStart=/usr/bin/docker run docker.io/library/haproxy:3.2 quay.io/x/y:v1@sha256:${"a".repeat(64)}`;
    expect([...text.matchAll(IMAGE_RE)].map((m) => m[1])).toEqual([
      "docker.io/library/haproxy:3.2",
      `quay.io/x/y:v1@sha256:${"a".repeat(64)}`,
    ]);
    // URLs, label keys and API groups are not images
    expect(
      [..."https://github.com/a/b:1 kubernetes.io/os node-role.kubernetes.io/control-plane=:NoSchedule".matchAll(IMAGE_RE)].map(
        (m) => m[1],
      ),
    ).toEqual(["kubernetes.io/os", "node-role.kubernetes.io/control-plane"]);
  });

  it("`slipway images` prints the list for the cluster's Kubernetes version", () => {
    const r = slipway(["images", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { name: string; pull: string }[];
    expect(printed.map((p) => p.pull)).toEqual(clusterImages(bakedDemoCluster().config).map((i) => imageRef(i.image)));
    expect(printed.find((p) => p.name === "kube-apiserver")?.pull).toMatch(/^registry\.k8s\.io\/kube-apiserver:v1\.36\.1@sha256:/);
  });
});
