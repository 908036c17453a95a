// `slipway diagram`: an SVG that an XML parser (xmllint) accepts, that names every machine group
// with what the cluster file says of it and every flow the security groups allow, that a real
// headless browser (Debian's chromium) renders, and that is the picture the README shows.
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { requireTool } from "./helpers/ignition";
import { ROOT, tmp, awsCluster, demoCluster } from "./helpers/clusters";
import { slipway } from "./helpers/run";
import { clusterSvg } from "../stacks/diagram";
import { firewallRules } from "../stacks/firewall";
import type { Cluster } from "../clusters/model/load";

const work = tmp("slipway-diagram-");
afterAll(() => work.cleanup());

/** The text an SVG shows, as the browser would (entities decoded). */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    (m[1] as string)
      .replace(/&#45;/g, "-")
      .replace(/&#160;/g, " ")
      .replace(/&amp;/g, "&")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">"),
  );
}

function wellFormed(svg: string) {
  requireTool("/usr/bin/xmllint", "libxml2-utils");
  const f = join(work.dir, `check-${Math.random().toString(36).slice(2)}.svg`);
  writeFileSync(f, svg);
  const r = spawnSync("xmllint", ["--noout", "--nonet", f], { encoding: "utf8" });
  return { ok: r.status === 0, errors: r.stderr };
}

/** The flows between different groups the rules allow, as the diagram labels them. */
function flowLabels(cluster: Cluster): string[] {
  return firewallRules(cluster.config)
    .filter((r) => !("group" in r.from && r.from.group === r.to))
    .map((r) => (r.protocol === "icmp" ? "ICMP" : `${r.protocol.toUpperCase()} ${r.ports?.[0]}`));
}

/** PNG width and height from its IHDR chunk. */
const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

/** Screenshot an SVG in headless chromium at its own size (the SVG's pt as CSS px). */
function screenshot(svgFile: string, png: string) {
  requireTool("/usr/bin/chromium", "chromium");
  const svg = readFileSync(svgFile, "utf8");
  const [w, h] = [/width="(\d+)pt"/, /height="(\d+)pt"/].map((re) => Math.ceil((Number(re.exec(svg)?.[1]) * 4) / 3));
  // in a network namespace of its own with nothing in it: the browser reaches no network at all
  const r = spawnSync(
    "unshare",
    [
      "--net",
      "chromium",
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--hide-scrollbars",
      "--no-first-run",
      "--disable-background-networking",
      `--user-data-dir=${join(work.dir, "chromium-profile")}`,
      `--screenshot=${png}`,
      `--window-size=${w},${h}`,
      `file://${svgFile}`,
    ],
    { encoding: "utf8", timeout: 60_000 },
  );
  expect(r.status, r.stderr).toBe(0);
  return { w: w as number, h: h as number };
}

describe("slipway diagram", () => {
  it("the demo: well-formed, every machine group with its size, addresses, volumes and public address, every allowed flow", async () => {
    const cluster = demoCluster();
    const svg = await clusterSvg(cluster);
    expect(wellFormed(svg)).toEqual({ ok: true, errors: "" });
    const t = texts(svg);
    for (const m of [...cluster.plan.etcd, ...cluster.plan.masters]) expect(t, m.name).toContain(m.name);
    for (const m of cluster.plan.etcd) expect(t).toContain(`${m.ip} · default zone`);
    expect(t.filter((x) => x === "data: Cinder volume 10 GiB")).toHaveLength(cluster.plan.etcd.length);
    expect(t.filter((x) => x === "+ floating IP")).toHaveLength(cluster.plan.masters.length);
    for (const w of cluster.config.workers) {
      expect(t).toContain(`pool ${w.name}`);
      expect(t).toContain(`${w.count} × ${(w as { flavor: string }).flavor}`);
    }
    expect(t).toContain("logs: Cinder volume 50 GiB");
    expect(t).toContain(`Neutron network ${cluster.config.network.nodes}`);
    expect(t).toContain(cluster.config.adminCidrs[0]);
    const edgeLabels = t.join(" | ");
    for (const label of flowLabels(cluster)) expect(edgeLabels, label).toContain(label);
    // peers' flows inside their own group are in its label
    expect(t).toContain("TCP 2380: etcd peer traffic between members");
  });

  it("AWS: its zones, instance types, Elastic IPs, Auto Scaling groups and encrypted EBS; DNS names when set", async () => {
    const cluster = awsCluster([[["dns"], { zone: "example.com", zoneId: "0123456789abcdef0123456789abcdef" }]]);
    const svg = await clusterSvg(cluster);
    expect(wellFormed(svg).ok).toBe(true);
    const t = texts(svg);
    expect(t).toContain(`VPC ${cluster.config.network.nodes}`);
    expect(t.some((x) => /^zones: .+, .+, .+$/.test(x))).toBe(true);
    expect(t.filter((x) => x === "+ Elastic IP")).toHaveLength(cluster.plan.masters.length);
    expect(t.some((x) => /^data: EBS gp3 \d+ GiB, encrypted$/.test(x))).toBe(true);
    expect(t.some((x) => /^Auto Scaling group, up to \d+$/.test(x))).toBe(true);
    expect(t).toContain("api.demo-aws.example.com");
    expect(t).toContain("*.demo-aws.example.com");
  });

  it("renders in a real browser; the README shows exactly the demo's picture", async () => {
    const committed = join(ROOT, "clusters", "demo-openstack.svg");
    expect(readFileSync(committed, "utf8")).toBe(await clusterSvg(demoCluster()));
    const png = join(work.dir, "demo.png");
    const { w, h } = screenshot(committed, png);
    const shot = readFileSync(png);
    expect(shot.subarray(1, 4).toString()).toBe("PNG");
    expect(pngSize(shot)).toEqual({ width: w, height: h });
    // not a blank page: far more than an empty SVG of the same size
    const blank = join(work.dir, "blank.svg");
    writeFileSync(blank, `<svg xmlns="http://www.w3.org/2000/svg" width="${(w * 3) / 4}pt" height="${(h * 3) / 4}pt"></svg>`);
    screenshot(blank, join(work.dir, "blank.png"));
    expect(shot.length).toBeGreaterThan(5 * statSync(join(work.dir, "blank.png")).size);
    const readmePng = readFileSync(join(ROOT, "clusters", "demo-openstack.png"));
    expect(pngSize(readmePng)).toEqual({ width: w, height: h });
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("](clusters/demo-openstack.png)");
  });

  it("writes to standard output, or to a new file or its own; never over another file or through a link", () => {
    const out = slipway(["diagram"]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^<\?xml [^\n]*\n<!-- slipway diagram of demo -->\n/);
    const file = join(work.dir, "cluster.svg");
    const first = slipway(["diagram", "--out", file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^Drew demo → .*cluster\.svg \([\d,]+ B\)\n$/);
    expect(slipway(["diagram", "--out", file]).code).toBe(0); // its own: replaced
    const foreign = join(work.dir, "notes.svg");
    writeFileSync(foreign, "<svg>mine</svg>");
    const refused = slipway(["diagram", "--out", foreign]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/notes\.svg exists and is not a diagram that slipway wrote; not overwriting it/);
    expect(readFileSync(foreign, "utf8")).toBe("<svg>mine</svg>");
    const link = join(work.dir, "link.svg");
    symlinkSync(foreign, link);
    expect(slipway(["diagram", "--out", link]).stderr).toMatch(/is a symbolic link; slipway does not write through it/);
    expect(slipway(["diagram", "--out", ""]).code).toBe(2);
  });
});
