import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tmp } from "./helpers/clusters";
import { slipway } from "./helpers/run";
import { selfSignedPem } from "./helpers/test-ca";

const work = tmp("slipway-certs-");
afterAll(() => work.cleanup());
const pki = join(work.dir, "pki");

beforeAll(() => {
  const r = slipway(["render", "--role", "master", "--pki", pki, "--out", join(work.dir, "m.ign")]);
  expect(r.code, r.stderr).toBe(0);
});

/** A state as terraform writes it: a certificate resource per PKI certificate, and their keys. */
function stateFile(extra: { name: string; pem: string }[] = []): string {
  const cert = (name: string, pem: string) => ({
    mode: "managed",
    type: name.endsWith("-ca") ? "tls_self_signed_cert" : "tls_locally_signed_cert",
    name: `cert_${name}`,
    provider: 'provider["registry.terraform.io/hashicorp/tls"]',
    instances: [{ schema_version: 0, attributes: { cert_pem: pem, validity_period_hours: 26280 } }],
  });
  const resources = [
    ...["kubernetes-ca", "admin", "etcd-member-0"].map((n) => cert(n, readFileSync(join(pki, `${n}.crt`), "utf8"))),
    ...extra.map((e) => cert(e.name, e.pem)),
    {
      mode: "managed",
      type: "tls_private_key",
      name: "key_admin",
      instances: [{ attributes: { private_key_pem: readFileSync(join(pki, "admin.key"), "utf8") } }],
    },
  ];
  const file = join(work.dir, `state-${extra.length}.json`);
  writeFileSync(file, JSON.stringify({ version: 4, terraform_version: "1.9.8", serial: 3, lineage: "x", outputs: {}, resources }));
  return file;
}

describe("slipway certs", () => {
  it("lists a local PKI's certificates, soonest first, with dates and days left", () => {
    const r = slipway(["certs", "--pki", pki]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    const crts = require("node:fs")
      .readdirSync(pki)
      .filter((f: string) => f.endsWith(".crt"));
    expect(lines).toHaveLength(crts.length + 1);
    expect(lines[0]).toMatch(/^\S+\s+\d{4}-\d\d-\d\d {2}109[45] days$/);
    expect(lines.at(-1)).toMatch(
      new RegExp(`^${crts.length} certificates of demo; the first to end: \\S+ on \\d{4}-\\d\\d-\\d\\d; 0 within 30 days\\.`),
    );
  });

  it("reads a Terraform state, marks what is due, and never prints a key", () => {
    const file = stateFile([{ name: "super-admin", pem: selfSignedPem("/CN=soon", 10) }]);
    const r = slipway(["certs", "--state", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^super-admin\s+\d{4}-\d\d-\d\d {2}(9|10) days {2}DUE$/);
    expect(r.stdout).toMatch(/4 certificates of demo; .* 1 within 30 days/);
    expect(r.stdout + r.stderr).not.toMatch(/PRIVATE KEY|BEGIN/);
    // --check fails a CI job while something is due; --json says the same for machines
    expect(slipway(["certs", "--state", file, "--check"]).code).toBe(1);
    expect(slipway(["certs", "--state", stateFile(), "--check"]).code).toBe(0);
    // the same as `slipway certs status`
    expect(slipway(["certs", "status", "--state", file, "--check"]).code).toBe(1);
    const j = JSON.parse(slipway(["certs", "--state", file, "--json"]).stdout);
    expect(j).toMatchObject({ within: 30, due: 1 });
    expect(j.certificates[0]).toMatchObject({ name: "super-admin" });
  });

  it("refuses what it cannot read, in one line", () => {
    const notJson = join(work.dir, "bad.json");
    writeFileSync(notJson, "{");
    const oldState = join(work.dir, "v3.json");
    writeFileSync(oldState, JSON.stringify({ version: 3, modules: [] }));
    const cases: [string[], number, RegExp][] = [
      [["certs", "--state", notJson], 1, /^slipway: .*bad\.json: not a Terraform state \(/],
      [["certs", "--state", oldState], 1, /^slipway: .*v3\.json: not a Terraform state of format 4/],
      [["certs", "--state", notJson, "--pki", pki], 2, /^slipway: give --state or --pki, not both$/],
      [["certs", "--pki", pki, "--within", "soon"], 2, /^slipway: --within must be a number of days, not soon$/],
      [["certs", "--pki", join(work.dir, "nowhere")], 1, /^slipway: .*nowhere: no such PKI folder$/],
    ];
    for (const [args, code, message] of cases) {
      const r = slipway(args, { cwd: work.dir });
      expect(r.code, args.join(" ")).toBe(code);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
  });
});
