import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { unwrapConfig } from "../bootstrap/ignition/render";
import type { NodeTarget } from "../bootstrap/node";
import { certSpecs, pemBound } from "../bootstrap/pki/spec";
import { localPki } from "../bootstrap/pki/local";
import { renderNode } from "../bootstrap/render";
import { buildApp, SynthError, synthesizeSync } from "../stacks/app";
import type { Cluster } from "../clusters/model/load";
import { awsCluster, type Changes, demoCluster, synthJson, synthText, tmp } from "./helpers/clusters";
import { evalTemplate } from "./helpers/hcl-eval";
import { applyOffline } from "./helpers/terraform";
import { tfAddonSecrets, tfResolver } from "./helpers/tf-values";
import { decodeDataUrl, ignitionApply, ignitionValidate, withMirroredSources } from "./helpers/ignition";
import { serveSysext } from "./helpers/sysext-server";

const work = tmp("slipway-ud-test-");
afterAll(() => work.cleanup());

type IgnFile = { path: string; mode: number; contents: { source: string; compression?: string } };
/** A config with every file's contents decoded, so gzip's byte choices do not matter. */
function normalize(configJson: string) {
  const c = JSON.parse(configJson) as { storage: { files: IgnFile[] } };
  for (const f of c.storage.files)
    (f as unknown as { contents: string }).contents = decodeDataUrl(f.contents.source, f.contents.compression).toString("utf8");
  return c;
}

// the masters' floating IPs, as Terraform would fill them in
const PUBLIC = ["198.51.100.10", "198.51.100.11", "198.51.100.12"];

describe("user_data on the Terraform path", () => {
  const cluster = demoCluster();
  const tf = synthJson(cluster);
  const instances = tf.resource.openstack_compute_instance_v2 as Record<string, { user_data: string }>;
  const pkiDir = join(work.dir, "pki");

  const cases: [string, NodeTarget, string][] = [
    ["etcd_0", { role: "etcd", index: 0 }, "demo-etcd-0"],
    ["etcd_2", { role: "etcd", index: 2 }, "demo-etcd-2"],
    ["master_1", { role: "master", index: 1 }, "demo-master-1"],
    ["pool_general", { role: "worker", pool: "general" }, "demo-general-0"],
    ["pool_logging", { role: "worker", pool: "logging" }, "demo-logging-0"],
  ];
  for (const [resource, target, hostname] of cases) {
    it(`${resource}: evaluates to exactly the config slipway render writes for ${hostname}`, async () => {
      const pki = await localPki(cluster, pkiDir);
      const resolve = tfResolver(pki, hostname, undefined, undefined, PUBLIC);
      // the masters' configs are Swift objects (configStore: swift); the rest is in user_data
      const object = tf.resource.openstack_objectstorage_object_v1?.[`config_${hostname}`] as { content: string } | undefined;
      const inner = object
        ? evalTemplate(object.content, resolve)
        : unwrapConfig(evalTemplate(instances[resource]?.user_data ?? "", resolve));
      if (!object) expect(ignitionValidate(evalTemplate(instances[resource]?.user_data ?? "", resolve)).ok).toBe(true);
      expect(ignitionValidate(inner)).toEqual({ ok: true, output: "" });
      const rendered = await renderNode(cluster, { target, pkiDir, publicAddresses: PUBLIC, secrets: tfAddonSecrets(cluster) });
      expect(rendered.hostname).toBe(hostname);
      // byte for byte: Terraform percent-encodes exactly as render does
      expect(inner).toBe(rendered.config);
    });
  }

  it("a master boots through its Swift pointer: real ignition fetches the temporary URL, checks the SHA-512, applies the same tree", async () => {
    // a baked image: the config itself then downloads only the Gateway API CRDs, which the test's
    // Swift serves mirrored (as ignitionApply does: the same bytes, their SHA-512s still checked)
    const baked = demoCluster([[["kubernetes", "binaries"], { source: "image" }]]);
    const btf = synthJson(baked);
    const pki = await localPki(baked, join(work.dir, "pki-baked"));
    const resolve = tfResolver(pki, "demo-master-1", undefined, undefined, PUBLIC);
    const object = btf.resource.openstack_objectstorage_object_v1?.["config_demo-master-1"] as { content: string };
    const config = evalTemplate(object.content, resolve);
    const tempurl = btf.resource.openstack_objectstorage_tempurl_v1?.["config_demo-master-1_url"] as Record<string, unknown>;
    expect(tempurl).toMatchObject({
      method: "get",
      ttl: 86400,
      regenerate: true,
      object: "${openstack_objectstorage_object_v1.config_demo-master-1.name}",
    });
    const served = withMirroredSources(config);
    const swift = await serveSysext(join(work.dir, "swift"), Buffer.from(served));
    try {
      // shaped like a Swift temporary URL (its query carries the signature)
      const url = `${swift.origin}/v1/AUTH_0123456789abcdef/demo-ignition/demo-master-1.ign?temp_url_sig=da39a3ee5e6b4b0d3255bfef95601890afd80709&temp_url_expires=1767225600`;
      const bInstances = btf.resource.openstack_compute_instance_v2 as Record<string, { user_data: string }>;
      const pointer = evalTemplate(bInstances.master_1?.user_data ?? "", (ref) => {
        if (ref === "openstack_objectstorage_tempurl_v1.config_demo-master-1_url.url") return url;
        if (ref === "openstack_objectstorage_object_v1.config_demo-master-1.content") return served;
        return resolve(ref);
      });
      expect(ignitionValidate(pointer)).toEqual({ ok: true, output: "" });
      const viaSwift = join(work.dir, "root-swift");
      const direct = join(work.dir, "root-direct");
      ignitionApply(pointer, viaSwift, { caFile: swift.caFile });
      ignitionApply(config, direct);
      expect(swift.requests).toEqual([url.slice(swift.origin.length)]);
      const tree = (dir: string) =>
        spawnSync(
          "sh",
          [
            "-c",
            `cd ${dir} && find etc opt var -type f -o -type l | grep -v -e system-preset -e ignition-result | sort | xargs sha256sum 2>/dev/null`,
          ],
          { encoding: "utf8" },
        ).stdout;
      expect(tree(viaSwift)).toBe(tree(direct));
      // Ignition writes the preset file from a Go map: the same lines, in any order
      const presets = (dir: string) => readFileSync(join(dir, "etc/systemd/system-preset/20-ignition.preset"), "utf8").split("\n").sort();
      expect(presets(viaSwift)).toEqual(presets(direct));
      expect(tree(direct)).toContain("etc/kubernetes/pki/certs.spec");
      // a config changed on the way is refused
      const tampered = pointer.replace(/sha512-[0-9a-f]{128}/, `sha512-${"0".repeat(128)}`);
      expect(() => ignitionApply(tampered, join(work.dir, "root-tampered"), { caFile: swift.caFile })).toThrow(/hash|verification/i);
    } finally {
      await swift.close();
    }
  });

  it("the real terraform evaluates it to the same config", async () => {
    const pki = await localPki(cluster, pkiDir);
    const resolve = tfResolver(pki, "demo-etcd-0");
    const locals: Record<string, string> = {};
    const template = (instances.etcd_0?.user_data ?? "").replace(
      /(?<![\w.])(tls_[a-z_]+\.[a-z0-9_-]+\.[a-z_]+|random_password\.[a-z_]+\.result|openstack_blockstorage_volume_v3\.[a-z0-9_]+\.id|openstack_identity_application_credential_v3\.[a-z0-9_]+\.(?:id|secret)|local\.keystone_url)/g,
      (ref) => {
        const name = `v${Object.keys(locals).length}`;
        locals[name] = resolve(ref).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
        return `local.${name}`;
      },
    );
    const out = applyOffline(join(work.dir, "tf"), { locals, output: { ud: { value: template } } });
    // the backup store's credential as Terraform fills it in (the same values for render)
    const rendered = await renderNode(cluster, { target: { role: "etcd", index: 0 }, pkiDir, secrets: tfAddonSecrets(cluster) });
    expect(normalize(unwrapConfig(out.ud?.value as string))).toEqual(normalize(rendered.config));
  });
});

describe("secrets stay in Terraform state", () => {
  const variants: [string, Cluster][] = [
    ["demo", demoCluster()],
    [
      "5 etcd, dns, s3 backend",
      demoCluster([
        [["etcd", "count"], 5],
        [["dns"], { zone: "example.com", zoneId: "0123456789abcdef0123456789abcdef" }],
        [["backend"], { type: "s3", bucket: "tfstate", region: "eu-west-1" }],
      ]),
    ],
  ];
  for (const [name, cluster] of variants) {
    it(`${name}: no PEM or private key anywhere in the synthesized output, not even inside base64 literals`, () => {
      const text = synthText(cluster);
      expect(text).not.toMatch(/BEGIN|PRIVATE KEY|CERTIFICATE-----/);
      const literals = [...text.matchAll(/base64decode\(\\"([A-Za-z0-9+/=]+)\\"\)/g)].map((m) =>
        Buffer.from(m[1] as string, "base64").toString("utf8"),
      );
      expect(literals.length).toBeGreaterThan(10);
      for (const l of literals) expect(l).not.toMatch(/BEGIN|PRIVATE KEY/);
      // every certificate and key reaches the machines as a reference into state
      expect(text).toContain("${tls_private_key.key_etcd-member-0.private_key_pem}".slice(2, -1));
    });
  }

  it("issues every certificate of the spec in Terraform, ECDSA P-256, with the configured lifetimes", () => {
    const cluster = demoCluster([[["pki"], { caValidityDays: 1000, certValidityDays: 90, renewBeforeDays: 10 }]]);
    const tf = synthJson(cluster);
    const keys = Object.values(tf.resource.tls_private_key ?? {});
    const specs = certSpecs(cluster);
    expect(keys).toHaveLength(specs.length);
    for (const k of keys) expect(k).toMatchObject({ algorithm: "ECDSA", ecdsa_curve: "P256" });
    const cas = specs.filter((s) => s.kind === "ca");
    expect(cas.map((c) => c.name)).toEqual(["etcd-ca", "kubernetes-ca", "front-proxy-ca"]);
    const allSelfSigned = tf.resource.tls_self_signed_cert as Record<string, Record<string, unknown>>;
    // the CAs, and the certificate etcd backups are encrypted to (key agreement only, not a CA)
    expect(allSelfSigned["cert_etcd-backup"]).toMatchObject({ is_ca_certificate: false, allowed_uses: ["key_agreement"] });
    const selfSigned = Object.entries(allSelfSigned)
      .filter(([k]) => k !== "cert_etcd-backup")
      .map(([, v]) => v);
    expect(selfSigned).toHaveLength(3);
    for (const c of selfSigned)
      expect(c).toMatchObject({
        is_ca_certificate: true,
        validity_period_hours: 24000,
        early_renewal_hours: 240,
        allowed_uses: ["cert_signing", "crl_signing", "digital_signature"],
      });
    const signed = tf.resource.tls_locally_signed_cert as Record<string, Record<string, unknown>>;
    expect(Object.keys(signed)).toHaveLength(specs.filter((s) => s.kind === "leaf").length);
    for (const c of Object.values(signed)) expect(c).toMatchObject({ validity_period_hours: 2160, early_renewal_hours: 240 });
    expect(signed["cert_etcd-member-1"]?.allowed_uses).toEqual(["digital_signature", "key_encipherment", "server_auth", "client_auth"]);
    expect(signed["cert_etcd-proxy-client-pool-general"]?.allowed_uses).toEqual(["digital_signature", "key_encipherment", "client_auth"]);
    const csr = tf.resource.tls_cert_request as Record<
      string,
      { subject: Record<string, unknown>[]; ip_addresses?: string[]; dns_names?: string[] }
    >;
    expect(csr["csr_etcd-member-1"]).toMatchObject({ ip_addresses: ["10.0.0.17", "127.0.0.1"], dns_names: ["demo-etcd-1", "localhost"] });
    expect(csr["csr_etcd-member-1"]?.subject[0]?.common_name).toBe("demo-etcd-1");
    // grpc-proxy refuses a client certificate with a Common Name
    expect(csr["csr_etcd-proxy-client-master"]?.subject[0]?.common_name).toBeUndefined();
  });
});

describe("user_data budget", () => {
  it("the bound holds: every role's real user_data (real certificates) is at most what synthesis reported", async () => {
    const cluster = demoCluster();
    const { budget } = buildApp(cluster, join(work.dir, "unused"));
    const tf = synthJson(cluster);
    const instances = tf.resource.openstack_compute_instance_v2 as Record<string, { user_data: string }>;
    const pki = await localPki(cluster, join(work.dir, "pki-bound"));
    // (the masters' user_data is a pointer of bounded length: configs.ts)
    const roles: [label: string, resource: string, hostname: string][] = [
      ["etcd", "etcd_0", "demo-etcd-0"],
      ["worker pool general", "pool_general", "demo-general-0"],
      ["worker pool logging", "pool_logging", "demo-logging-0"],
    ];
    for (const [label, resource, hostname] of roles) {
      const real = Buffer.byteLength(
        evalTemplate(instances[resource]?.user_data ?? "", tfResolver(pki, hostname, undefined, undefined, PUBLIC)),
      );
      const bound = budget.sizes.get(label) ?? 0;
      expect(real, label).toBeLessThanOrEqual(bound);
      expect(bound, `${label}: the bound is not absurdly loose`).toBeLessThan(1.6 * real);
    }
  });

  it("PEM size bounds hold for every certificate and key Slipway issues", async () => {
    for (const cluster of [
      demoCluster(),
      demoCluster([
        [["etcd", "count"], 7],
        [["name"], "a-rather-long-cluster-name-here"],
      ]),
    ]) {
      const { certs } = await localPki(cluster, join(work.dir, `pki-pem-${cluster.config.name}`));
      const specs = new Map(certSpecs(cluster).map((s) => [s.name, s]));
      for (const [name, c] of certs) {
        const spec = specs.get(name);
        if (!spec) throw new Error(name);
        const issuer = spec.ca ? specs.get(spec.ca) : undefined;
        for (const kind of ["cert", "key", "public"] as const) {
          if (spec.kind === "keypair" && kind === "cert") continue;
          const pem = (kind === "cert" ? c.cert : kind === "key" ? c.key : c.publicKey) ?? "";
          const bound = pemBound(spec, kind, issuer);
          expect(pem.length, `${name} ${kind}`).toBeLessThanOrEqual(bound);
          expect(bound, `${name} ${kind}: bound not absurdly loose`).toBeLessThan(1.3 * pem.length);
        }
      }
    }
  });

  it("every role of the demo stays within half of Nova's limit; inline, the masters would not", () => {
    const { budget } = buildApp(demoCluster(), join(work.dir, "unused2"));
    expect(budget.problems()).toEqual([]);
    const sizes = Object.fromEntries([...budget.sizes].map(([label, raw]) => [label, 4 * Math.ceil(raw / 3)]));
    console.log(`user_data upper bounds (base64, as Nova counts): ${JSON.stringify(sizes)}`);
    for (const [label, size] of Object.entries(sizes)) expect(size, label).toBeLessThanOrEqual(65535 / 2);
    expect([...budget.servedFrom]).toEqual([["master", "Swift"]]);
    // the same file with everything in user_data: the masters lose their headroom, and synth says so
    const inline = buildApp(demoCluster([[["openstack", "configStore"], "inline"]]), join(work.dir, "unused3")).budget;
    expect(4 * Math.ceil((inline.sizes.get("master") ?? 0) / 3)).toBeGreaterThan(65535 / 2);
    expect(inline.servedFrom.size).toBe(0);
  });

  it("with every addon on (the UIs at names of their own), every role on both clouds still stays within half of its cloud's limit", () => {
    const all: Changes = [
      [["dns"], { zone: "example.com", zoneId: "0123456789abcdef0123456789abcdef" }],
      [["addons", "monitoring"], { grafana: "grafana.ops.example.org" }],
      [["addons", "logs"], true],
      [["addons", "dashboard"], { hostname: "kube.ops.example.org" }],
    ];
    for (const [cluster, limit, counted] of [
      [demoCluster(all), 65535, (raw: number) => 4 * Math.ceil(raw / 3)],
      [awsCluster(all), 16384, (raw: number) => raw],
    ] as const) {
      const { budget } = buildApp(cluster, join(work.dir, `unused-all-${cluster.config.cloud}`));
      expect(budget.problems()).toEqual([]);
      const sizes = Object.fromEntries([...budget.sizes].map(([label, raw]) => [label, counted(raw)]));
      console.log(`${cluster.config.cloud}, every addon on: user_data upper bounds ${JSON.stringify(sizes)}`);
      for (const [label, size] of Object.entries(sizes)) expect(size, label).toBeLessThanOrEqual(limit / 2);
    }
  });

  it("stops synthesis of a cluster whose user_data could exceed the cloud's limit, writing nothing", () => {
    // a few hundred random SSH keys: incompressible, so they really take that room in user_data
    const keys = Array.from(
      { length: 700 },
      (_, i) =>
        `ssh-ed25519 ${Buffer.from(`${i}`.padEnd(4) + require("node:crypto").randomBytes(44).toString("binary"), "binary").toString("base64")} k${i}`,
    );
    const cluster = demoCluster([
      [["ssh", "authorizedKeys"], keys],
      [["openstack", "configStore"], "inline"],
    ]);
    const out = join(work.dir, "too-big");
    let err: unknown;
    try {
      synthesizeSync(cluster, out);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SynthError);
    expect((err as Error).message).toMatch(
      /^test\.yaml: user_data of etcd could reach [\d,]+ bytes after base64; Nova accepts at most 65,535 bytes of base64-encoded user_data/m,
    );
    expect((err as Error).message).toMatch(/user_data of worker pool general could reach/);
    // the masters' configs have somewhere else to go, and the message says where
    expect((err as Error).message).toMatch(/user_data of master could reach .*\(set openstack\.configStore: swift to serve configs/);
    expect(require("node:fs").existsSync(out)).toBe(false);
  });
});
