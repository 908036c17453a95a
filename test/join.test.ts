// Join tokens, held to one derivation by its three users: the expression synthesis gives
// Terraform (evaluated by the real terraform), the masters' join-tokens script (run by bash as
// its unit runs it, with a stand-in kubectl that records what it would apply — no Kubernetes
// API runs here) and `slipway render`. A worker's token is one the masters store, of its own
// pool, valid for at least one more period; tokens expire.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Secret } from "kubernetes-models/v1/Secret";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { joinGroup, joinPeriod, joinToken, joinTokenExpiry } from "../bootstrap/kube/join";
import { renderNode } from "../bootstrap/render";
import { bakedDemoCluster, synthJson, tmp } from "./helpers/clusters";
import { ignitionApply } from "./helpers/ignition";
import { NodeRoot } from "./helpers/node-root";
import { applyOffline } from "./helpers/terraform";

const work = tmp("slipway-join-");
afterAll(() => work.cleanup());
const cluster = bakedDemoCluster();
const pkiDir = join(work.dir, "pki");
const DAYS = cluster.config.kubernetes.joinTokenDays;
// a moment inside a period, and the rendered machines' idea of now
const NOW = new Date("2027-03-14T15:09:26Z");
let master: NodeRoot;
const workers: Record<string, NodeRoot> = {};

beforeAll(async () => {
  master = new NodeRoot(join(work.dir, "master"));
  ignitionApply((await renderNode(cluster, { target: { role: "master", index: 0 }, pkiDir, now: NOW })).config, master.root);
  for (const p of cluster.plan.pools) {
    workers[p.name] = new NodeRoot(join(work.dir, `worker-${p.name}`));
    ignitionApply(
      (await renderNode(cluster, { target: { role: "worker", pool: p.name }, pkiDir, now: NOW })).config,
      workers[p.name]?.root as string,
    );
  }
});

/** A kubectl that answers /readyz and writes what it is asked to apply to `applied`. */
function standInKubectl(dir: string): { bin: string; applied: string } {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  const applied = join(dir, "applied.json");
  writeFileSync(
    join(bin, "kubectl"),
    `#!/bin/bash
case "$*" in
  "get --raw=/readyz") exit 0 ;;
  "apply --server-side --field-manager=slipway-join-tokens -f -") cat >${applied} ;;
  *) echo "unexpected kubectl $*" >&2; exit 3 ;;
esac
`,
  );
  chmodSync(join(bin, "kubectl"), 0o755);
  return { bin, applied };
}

/** join-tokens as its unit runs it, at `now`. */
function runJoinTokens(now: Date, name: string) {
  const k = standInKubectl(join(work.dir, name));
  const u = master.unit("join-tokens.service");
  const env = master.serviceEnv("join-tokens.service");
  const r = spawnSync(master.at(u.execStart[0] as string), [], {
    env: { ...env, PATH: `${k.bin}:/usr/bin:/bin`, JOIN_NOW: String(Math.floor(now.getTime() / 1000)) },
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(k.applied, "utf8")) as { kind: string; items: Record<string, never>[] };
}

type TokenSecret = { metadata: { name: string; labels: Record<string, string> }; stringData: Record<string, string> };

describe("join tokens", () => {
  const seed = () => readFileSync(join(pkiDir, "join-seed"), "utf8").trim();

  it("Terraform's expression, the module and bash derive the same token", () => {
    const tf = synthJson(cluster);
    const configs = JSON.stringify(tf.resource.openstack_compute_instance_v2 ?? {});
    const expr =
      /substr\(sha256\(format\(\\"%s:%s:%d:id\\", random_password\.join_seed\.result, \\"general\\", floor\(\(time_rotating\.join_period\.unix \/ (\d+)\)\)\)\), 0, 6\)/.exec(
        configs,
      );
    expect(expr, "the synthesized id expression").not.toBeNull();
    expect(Number(expr?.[1])).toBe(DAYS * 86400);
    expect(tf.resource.time_rotating?.join_period).toMatchObject({ rotation_days: DAYS });
    const unix = Math.floor(NOW.getTime() / 1000);
    const hcl = (what: string, n: number) =>
      `\${substr(sha256(format("%s:%s:%d:${what}", var.seed, "general", floor((var.unix / ${DAYS * 86400})))), 0, ${n})}`;
    const out = applyOffline(join(work.dir, "tf"), {
      variable: { seed: { default: seed() }, unix: { default: unix } },
      output: { id: { value: hcl("id", 6) }, secret: { value: hcl("secret", 16) } },
    });
    const mine = joinToken(seed(), "general", joinPeriod(unix, DAYS));
    expect({ id: out.id?.value, secret: out.secret?.value }).toEqual(mine);
    const stored = runJoinTokens(NOW, "derive").items as unknown as TokenSecret[];
    expect(stored.map((s) => s.stringData["token-id"])).toContain(mine.id);
  });

  it("the masters store each pool's tokens of three periods, in the pool's group, expiring; the worker's token is one of its pool's", () => {
    const list = runJoinTokens(NOW, "store");
    expect(list.kind).toBe("List");
    const secrets = list.items as unknown as TokenSecret[];
    expect(secrets).toHaveLength(3 * cluster.plan.pools.length);
    for (const s of secrets) new Secret(s as never).validate();
    const unix = Math.floor(NOW.getTime() / 1000);
    for (const p of cluster.plan.pools) {
      const mine = secrets.filter((s) => s.metadata.labels["slipway/pool"] === p.name);
      expect(mine).toHaveLength(3);
      for (const s of mine) {
        const d = s.stringData;
        expect(s.metadata.name).toBe(`bootstrap-token-${d["token-id"]}`);
        expect(`${d["token-id"]}.${d["token-secret"]}`).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
        expect(d["auth-extra-groups"]).toBe(joinGroup(p.name));
        expect(d["usage-bootstrap-authentication"]).toBe("true");
        expect(d["usage-bootstrap-signing"]).toBeUndefined();
        // every stored token is still good now, and none for ever
        expect(Date.parse(d.expiration as string) / 1000).toBeGreaterThan(unix);
        expect(Date.parse(d.expiration as string) / 1000).toBeLessThanOrEqual(unix + 3 * DAYS * 86400);
      }
      const kc = parse(workers[p.name]?.read("/etc/kubernetes/bootstrap-kubeconfig") ?? "");
      const token = kc.users[0].user.token as string;
      const match = mine.find((s) => `${s.stringData["token-id"]}.${s.stringData["token-secret"]}` === token);
      expect(match, `pool ${p.name}'s worker token is stored`).toBeDefined();
      // a machine created now from this config can join for at least one more period
      expect(Date.parse(match?.stringData.expiration as string) / 1000).toBeGreaterThanOrEqual(
        unix + DAYS * 86400 - (unix % (DAYS * 86400)),
      );
      expect(Date.parse(match?.stringData.expiration as string) / 1000).toBe(joinTokenExpiry(joinPeriod(unix, DAYS), DAYS));
    }
    // pools never share a token
    expect(new Set(secrets.map((s) => s.stringData["token-id"])).size).toBe(secrets.length);
  });

  it("moves on: three periods later none of today's tokens is stored, and today's have expired", () => {
    const today = (runJoinTokens(NOW, "today").items as unknown as TokenSecret[]).map((s) => s.stringData["token-id"]);
    const later = new Date(NOW.getTime() + 3 * DAYS * 86_400_000);
    const then = runJoinTokens(later, "later").items as unknown as TokenSecret[];
    expect(then.map((s) => s.stringData["token-id"]).filter((id) => today.includes(id))).toEqual([]);
    const newestToday = Math.max(
      ...(runJoinTokens(NOW, "today2").items as unknown as TokenSecret[]).map((s) => Date.parse(s.stringData.expiration as string)),
    );
    expect(newestToday).toBeLessThanOrEqual(later.getTime());
  });

  it("the seed is on masters only, readable by root only; workers carry their pool's token and nothing of another pool's", () => {
    expect(master.read("/etc/kubernetes/join-seed").trim()).toBe(seed());
    expect(require("node:fs").statSync(master.at("/etc/kubernetes/join-seed")).mode & 0o777).toBe(0o600);
    for (const [pool, root] of Object.entries(workers)) {
      expect(require("node:fs").existsSync(root.at("/etc/kubernetes/join-seed")), pool).toBe(false);
      const others = cluster.plan.pools.filter((p) => p.name !== pool);
      const cfg = root.read("/etc/kubernetes/bootstrap-kubeconfig");
      for (const o of others) expect(cfg).not.toContain(joinToken(seed(), o.name, joinPeriod(NOW.getTime() / 1000, DAYS)).secret);
    }
  });
});
