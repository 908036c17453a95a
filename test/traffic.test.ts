// `slipway traffic`: the real CLI and the real `cloudflare` library against a local stand-in of
// Cloudflare's v4 API (test/helpers/cloudflare.ts), and two clusters' ingress (:443, certificates
// from a test CA, trusted through NODE_EXTRA_CA_CERTS as an operator's system CAs would be) and
// API (:6443 /readyz) served on loopback addresses of their own: blue on 127.0.10.x, green on
// 127.0.20.x. The Cloudflare records of the clusters are what their Terraform stacks write.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { demoYaml, tmp } from "./helpers/clusters";
import { type CloudflareStandIn, cloudflareStandIn } from "./helpers/cloudflare";
import { slipwayAsync } from "./helpers/run";
import { caSigned, testCa } from "./helpers/test-ca";

const ZONE = { id: "0123456789abcdef0123456789abcdef", name: "example.com" };
const NAMES = ["shop.example.com", "www.example.com"];
const BLUE = { name: "shop-blue", ips: ["127.0.10.1", "127.0.10.2"] };
const GREEN = { name: "shop-green", ips: ["127.0.20.1", "127.0.20.2"] };
const target = (c: { name: string }) => `shop.${c.name}.example.com`;

const work = tmp("slipway-traffic-");
let cf: CloudflareStandIn;
const servers: Server[] = [];
/** how each address's ingress answers */
const ingressMode = new Map<string, "ok" | "wrong-certificate" | "503">();
let ca: string;

function cert(dir: string, name: string, sans: string[]): { key: Buffer; cert: Buffer } {
  const f = caSigned(dir, name, `/CN=${sans[0]}`, `subjectAltName=${sans.map((s) => `DNS:${s}`).join(",")}\nextendedKeyUsage=serverAuth`);
  return { key: readFileSync(f.keyFile), cert: readFileSync(f.certFile) };
}

async function listen(server: Server, host: string, port: number): Promise<void> {
  servers.push(server);
  await new Promise<void>((res, rej) => server.once("error", rej).listen(port, host, () => res()));
}

beforeAll(async () => {
  const dir = work.dir;
  ca = testCa(dir).caFile;
  const good = cert(dir, "site", NAMES);
  const wrong = cert(dir, "other", ["other.example.org"]);
  for (const ip of [...BLUE.ips, ...GREEN.ips]) {
    ingressMode.set(ip, "ok");
    const ingress = createServer({
      ...good,
      SNICallback: (_name, cb) => {
        const { createSecureContext } = require("node:tls") as typeof import("node:tls");
        cb(null, createSecureContext(ingressMode.get(ip) === "wrong-certificate" ? wrong : good));
      },
    });
    ingress.on("request", (req, res) => {
      const sni = (req.socket as TLSSocket).servername;
      res.writeHead(ingressMode.get(ip) === "503" ? 503 : 404, { "content-type": "text/plain" });
      res.end(`no route for ${sni}\n`);
    });
    await listen(ingress, ip, 443);
    const api = createServer(good, (req, res) => {
      res.writeHead(req.url === "/readyz" ? 200 : 404);
      res.end(req.url === "/readyz" ? "ok" : "");
    });
    await listen(api, ip, 6443);
  }
  cf = await cloudflareStandIn(ZONE);
  for (const c of [BLUE, GREEN]) {
    writeFileSync(
      join(dir, `${c.name}.yaml`),
      demoYaml([
        [["name"], c.name],
        [["dns"], { zone: ZONE.name, zoneId: ZONE.id }],
      ]),
    );
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  await cf?.close();
  work.cleanup();
});

/** The cluster stacks' own records (as stacks/dns.ts writes them), and no record of the switch. */
function resetRecords(): void {
  cf.records.length = 0;
  cf.writes.length = 0;
  cf.failWritesAfter = undefined;
  cf.pageSize = undefined;
  for (const c of [BLUE, GREEN])
    for (const [i, ip] of c.ips.entries()) {
      cf.add({ name: `api.${c.name}.example.com`, type: "A", content: ip, ttl: 60, comment: `${c.name}: api address ${i}` });
      cf.add({ name: `*.${c.name}.example.com`, type: "A", content: ip, ttl: 60, comment: `${c.name}: ingress address ${i}` });
    }
  for (const ip of ingressMode.keys()) ingressMode.set(ip, "ok");
}

function siteFile(extra: Record<string, unknown> = {}, name = "shop.yaml"): string {
  const file = join(work.dir, name);
  const { stringify } = require("yaml") as typeof import("yaml");
  writeFileSync(
    file,
    stringify({
      site: "shop",
      zone: ZONE.name,
      zoneId: ZONE.id,
      regions: { fra: { hostnames: NAMES, clusters: ["shop-blue.yaml", "shop-green.yaml"], live: BLUE.name } },
      ...extra,
    }),
  );
  return file;
}

const traffic = (args: string[], env: Record<string, string> = {}) =>
  slipwayAsync(["traffic", ...args], {
    env: { CLOUDFLARE_API_TOKEN: cf.token, CLOUDFLARE_BASE_URL: cf.baseUrl, NODE_EXTRA_CA_CERTS: ca, ...env },
    timeoutMs: 60_000,
  });

/** Where each hostname points now (its switch-owned CNAME), as Cloudflare holds it. */
const pointing = () =>
  Object.fromEntries(NAMES.map((n) => [n, cf.records.filter((r) => r.name === n).map((r) => `${r.type} ${r.content}`)]));
const onCluster = (c: { name: string }) => Object.fromEntries(NAMES.map((n) => [n, [`CNAME ${target(c)}`]]));

describe("slipway traffic against a local Cloudflare API and two clusters", () => {
  beforeEach(() => resetRecords());

  it("switches a new site onto its live cluster, then to the other after checking it, and is idempotent", async () => {
    const site = siteFile();
    const first = await traffic(["switch", site]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(pointing()).toEqual(onCluster(BLUE));
    // each record says it is the switch's, which change made it and what was there before
    expect(cf.records.filter((r) => NAMES.includes(r.name)).map((r) => r.comment)).toEqual([
      "slipway:shop#1 shop-blue was -",
      "slipway:shop#1 shop-blue was -",
    ]);

    cf.writes.length = 0;
    const sw = await traffic(["switch", site, "--to", GREEN.name]);
    expect(sw.code).toBe(0);
    // the diff is printed before the checks, the checks before the changes
    const out = sw.stdout;
    const diff = out.indexOf(`~ shop.example.com  CNAME ${target(BLUE)} (ttl 60) → CNAME ${target(GREEN)} (ttl 60)`);
    const check = out.indexOf("✓ ingress 127.0.20.2:443 as www.example.com: HTTPS 404, certificate valid");
    const done = out.indexOf(`✓ www.example.com → ${target(GREEN)}`);
    expect(diff).toBeGreaterThan(-1);
    expect(check).toBeGreaterThan(diff);
    expect(done).toBeGreaterThan(check);
    expect(out).toContain("✓ API 127.0.20.1:6443/readyz: ready");
    expect(out).toContain("the site file still says live: shop-blue — set live: shop-green there");
    expect(pointing()).toEqual(onCluster(GREEN));
    // only the site's two records were written; the clusters' own records are as Terraform left them
    expect(cf.writes.map((w) => `${w.method} ${w.name}`)).toEqual(["PUT shop.example.com", "PUT www.example.com"]);
    expect(cf.records.filter((r) => r.name.includes("shop-")).every((r) => /: (api|ingress) address \d$/.test(r.comment ?? ""))).toBe(true);

    cf.writes.length = 0;
    const again = await traffic(["switch", site, "--to", GREEN.name]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("every name already points at shop-green: nothing to change");
    expect(cf.writes).toEqual([]);

    const status = await traffic(["status", site, "--check"]);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`shop.example.com  CNAME ${target(GREEN)} (ttl 60) — shop-green, change #2, was shop-blue`);
    expect(status.stdout).toContain("Cloudflare differs from the site file");
  }, 120_000);

  it("rolls back the latest switch in one step, without asking the cluster it goes back to", async () => {
    const site = siteFile();
    expect((await traffic(["switch", site])).code).toBe(0);
    expect((await traffic(["switch", site, "--to", GREEN.name])).code).toBe(0);
    // the old cluster is down: a hot rollback must not wait for it
    for (const ip of BLUE.ips) ingressMode.set(ip, "503");
    const back = await traffic(["rollback", site]);
    expect(back.stderr).toBe("");
    expect(back.code).toBe(0);
    expect(back.stdout).toContain("rolling back change #2 as #3");
    expect(pointing()).toEqual(onCluster(BLUE));
    const status = await traffic(["status", site, "--check"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("Cloudflare matches the site file");
    // rolling back the first switch removes the records it created
    const site2 = siteFile({ site: "other" }, "other.yaml");
    const created = await traffic(["switch", site2, "--no-check"]);
    expect(created.stderr).toMatch(/does not own every record.*CNAME shop\.example\.com → shop\.shop-blue\.example\.com \("slipway:shop#3/);
    expect(created.code).toBe(1);
  }, 120_000);

  it("refuses a target whose ingress fails the check, and changes nothing", async () => {
    const site = siteFile();
    expect((await traffic(["switch", site])).code).toBe(0);
    cf.writes.length = 0;
    for (const [mode, expected] of [
      ["wrong-certificate", /✗ ingress 127\.0\.20\.2:443 as shop\.example\.com: ERR_TLS_CERT_ALTNAME_INVALID/],
      ["503", /✗ ingress 127\.0\.20\.2:443 as shop\.example\.com: HTTPS 503/],
    ] as const) {
      ingressMode.set("127.0.20.2", mode);
      const r = await traffic(["switch", site, "--to", GREEN.name]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(expected);
      expect(r.stdout).toContain("✓ ingress 127.0.20.1:443 as shop.example.com");
      expect(r.stderr.trim()).toBe("slipway: shop-green is not healthy (2 of 6 checks failed): nothing changed");
      expect(cf.writes).toEqual([]);
      expect(pointing()).toEqual(onCluster(BLUE));
    }
    // a cluster with no records yet (never applied) fails too
    cf.records.splice(0, cf.records.length, ...cf.records.filter((r) => !r.name.endsWith("shop-green.example.com")));
    ingressMode.set("127.0.20.2", "ok");
    const r = await traffic(["switch", site, "--to", GREEN.name]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ API api.shop-green.example.com: no records in Cloudflare: is the cluster applied?");
    expect(cf.writes).toEqual([]);
  }, 120_000);

  it("says exactly which names moved when Cloudflare fails halfway; rollback puts them back", async () => {
    const site = siteFile();
    expect((await traffic(["switch", site])).code).toBe(0);
    cf.failWritesAfter = 1;
    const r = await traffic(["switch", site, "--to", GREEN.name]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("Cloudflare: cannot change CNAME www.example.com: HTTP 500: Internal server error [10001]");
    expect(r.stderr).toContain("Changed 1 of 2: shop.example.com; not changed: www.example.com");
    expect(pointing()).toEqual({ "shop.example.com": [`CNAME ${target(GREEN)}`], "www.example.com": [`CNAME ${target(BLUE)}`] });
    cf.failWritesAfter = undefined;
    const status = await traffic(["status", site]);
    expect(status.stdout).toContain("SPLIT: the names point at different clusters (shop-green, shop-blue)");
    const back = await traffic(["rollback", site]);
    expect(back.code).toBe(0);
    expect(pointing()).toEqual(onCluster(BLUE));

    // finishing instead: the same switch again completes it under its own number
    cf.failWritesAfter = 1;
    expect((await traffic(["switch", site, "--to", GREEN.name])).code).toBe(1);
    cf.failWritesAfter = undefined;
    const finish = await traffic(["switch", site, "--to", GREEN.name]);
    expect(finish.code).toBe(0);
    expect(finish.stdout).toContain("(finishing the switch halted before)");
    expect(pointing()).toEqual(onCluster(GREEN));
    // and one rollback undoes the whole of it
    expect((await traffic(["rollback", site])).code).toBe(0);
    expect(pointing()).toEqual(onCluster(BLUE));
  }, 180_000);

  it("refuses a wrong token in one line that never holds a token", async () => {
    const site = siteFile();
    const wrong = "not-the-token-0123456789";
    for (const cmd of [
      ["status", site],
      ["switch", site, "--to", GREEN.name],
      ["rollback", site],
    ]) {
      // a global key in the environment is never sent along
      const r = await traffic(cmd, {
        CLOUDFLARE_API_TOKEN: wrong,
        CLOUDFLARE_API_KEY: "global-key-1234",
        CLOUDFLARE_EMAIL: "a@example.com",
      });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(
        "Cloudflare: cannot read the zone: HTTP 403: Authentication error [10000] — the token in CLOUDFLARE_API_TOKEN",
      );
      expect(r.stdout + r.stderr).not.toContain(wrong);
      expect(r.stdout + r.stderr).not.toContain(cf.token);
    }
    expect(cf.tokensSeen.has(wrong)).toBe(true);
    expect(cf.globalKeys).toBe(0);
    expect(cf.writes).toEqual([]);
    const none = await traffic(["status", site], { CLOUDFLARE_API_TOKEN: "" });
    expect(none.stderr.trim()).toBe(
      "slipway: CLOUDFLARE_API_TOKEN is not set: give it a Cloudflare API token that may edit DNS records of example.com (Zone → DNS → Edit)",
    );
  }, 120_000);

  it("never touches a record it did not write, even one on a later page of the answer", async () => {
    const site = siteFile();
    cf.pageSize = 5;
    for (let i = 0; i < 6; i++) cf.add({ name: "www.example.com", type: "TXT", content: `"verification ${i}"`, ttl: 60 });
    cf.add({ name: "www.example.com", type: "A", content: "192.0.2.7", ttl: 300, comment: "the old web server" });
    const r = await traffic(["switch", site, "--no-check"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('A www.example.com → 192.0.2.7 ("the old web server")');
    expect(cf.writes).toEqual([]);
  }, 60_000);

  it("lowers a long TTL before it changes a record", async () => {
    const site = siteFile({ ttl: 600 });
    expect((await traffic(["switch", site])).code).toBe(0);
    cf.writes.length = 0;
    const r = await traffic(["switch", site, "--to", GREEN.name, "--no-wait"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("resolvers may answer with the old records for up to 600 s more");
    expect(cf.writes.map((w) => `${w.name} ${w.content} ${w.ttl}`)).toEqual([
      `shop.example.com ${target(BLUE)} 60`,
      `www.example.com ${target(BLUE)} 60`,
      `shop.example.com ${target(GREEN)} 600`,
      `www.example.com ${target(GREEN)} 600`,
    ]);
  }, 60_000);

  it("moves every region to its live cluster in one change, which one rollback undoes", async () => {
    const site = siteFile({
      regions: {
        fra: { hostnames: ["shop.example.com"], clusters: ["shop-blue.yaml"], live: BLUE.name },
        ams: { hostnames: ["www.example.com"], clusters: ["shop-green.yaml"], live: GREEN.name },
      },
    });
    const r = await traffic(["switch", site]);
    expect(r.stderr).toBe("");
    expect(pointing()).toEqual({ "shop.example.com": [`CNAME ${target(BLUE)}`], "www.example.com": [`CNAME ${target(GREEN)}`] });
    expect(cf.records.filter((x) => NAMES.includes(x.name)).map((x) => x.comment)).toEqual([
      "slipway:shop#1 shop-blue was -",
      "slipway:shop#1 shop-green was -",
    ]);
    expect((await traffic(["status", site, "--check"])).code).toBe(0);
    const back = await traffic(["rollback", site]);
    expect(back.code).toBe(0);
    expect(pointing()).toEqual({ "shop.example.com": [], "www.example.com": [] });
  }, 60_000);

  it("says what is wrong with a site file in one line with its place", async () => {
    const bad = join(work.dir, "bad.yaml");
    writeFileSync(bad, readFileSync(siteFile(), "utf8").replace("zoneId:", "zoneid:"));
    let r = await traffic(["status", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:1: zoneid: unknown field "zoneid"; did you mean "zoneId"\?/);
    writeFileSync(bad, readFileSync(siteFile(), "utf8").replace("live: shop-blue", "live: shop-red"));
    r = await traffic(["status", bad]);
    expect(r.stderr.trim()).toMatch(
      /^.*bad\.yaml:\d+:\d+: regions\.fra\.live: names no cluster of this region; they are shop-blue, shop-green$/,
    );
    writeFileSync(bad, readFileSync(siteFile(), "utf8").replace("live: shop-blue", "live: shop-blue\n    colour: blue"));
    r = await traffic(["status", bad]);
    expect(r.stderr).toMatch(/regions\.fra\.colour: unknown field "colour"; allowed here: clusters, hostnames, live/);
    r = await traffic(["switch", siteFile(), "--to", "shop-red"]);
    expect(r.stderr.trim()).toMatch(/no cluster shop-red in the site; its clusters are shop-blue, shop-green$/);
    expect(cf.writes).toEqual([]);
  }, 60_000);
});
