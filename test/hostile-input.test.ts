// Careless and hostile cluster files, class by class: nothing a file says is evaluated by Terraform,
// a unit file or a shell; credentials never sit in URLs; every malformed file is one accurate,
// located line with exit 1; values that would only fail later are refused now. (Files slipway
// must never delete or overwrite: test/safe-files.test.ts.)
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { shellWord, systemdWord, terraformLiteral } from "../clusters/model/escape";
import { clusterJsonSchema } from "../clusters/model/schema";
import { awsYaml, type Changes, demoYaml, synthJson, tmp } from "./helpers/clusters";
import { parseCluster } from "../clusters/model/load";
import { type RunResult, slipway } from "./helpers/run";
import { systemdExecStart } from "./helpers/systemd";
import { applyOffline } from "./helpers/terraform";

const work = tmp("slipway-hostile-");
afterAll(() => work.cleanup());

let n = 0;
function fileWith(content: string | Buffer): string {
  const f = join(work.dir, `c${n++}.yaml`);
  writeFileSync(f, content);
  return f;
}

/** `slipway validate` refuses with exactly one line `file[:line:col]: …` matching `message`, exit 1. */
function refused(content: string | Buffer, message: RegExp, where?: { line: number; col: number }): RunResult {
  const f = fileWith(content);
  const r = slipway(["validate", f]);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe("");
  expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
  expect(r.stderr).not.toContain(String.fromCharCode(27)); // no escape sequence reaches the terminal
  expect(r.stderr).toMatch(message);
  const loc = new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}(:(\\d+):(\\d+))?: `).exec(r.stderr);
  expect(loc, r.stderr).not.toBeNull();
  if (where) expect({ line: Number(loc?.[2]), col: Number(loc?.[3]) }).toEqual(where);
  return r;
}

const MIN = "name: demo\ncloud: openstack\nadminCidrs: [192.0.2.0/24]\n";

// ---------------------------------------------------------------------------------------------

describe("Terraform never evaluates what a file says", () => {
  // what a CI plan log would leak if Terraform evaluated it: a file, and a template directive
  const PAYLOAD = 'slipway-payload ${file("/etc/hostname")} %{ if true }x%{ endif }';
  type SchemaNode = {
    type?: string;
    pattern?: string;
    enum?: unknown[];
    const?: unknown;
    format?: string;
    properties?: Record<string, SchemaNode>;
    items?: SchemaNode;
    additionalProperties?: SchemaNode | boolean;
    anyOf?: SchemaNode[];
    oneOf?: SchemaNode[];
  };
  /** Every string field of a cloud's file, as a path of keys (0 for a list's first entry, "k" in a map). */
  function stringFields(node: SchemaNode, path: (string | number)[] = []): (string | number)[][] {
    const out: (string | number)[][] = [];
    for (const alt of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) out.push(...stringFields(alt, path));
    if (node.type === "string" && node.enum === undefined && node.const === undefined) out.push(path);
    for (const [k, v] of Object.entries(node.properties ?? {})) out.push(...stringFields(v, [...path, k]));
    if (node.items) out.push(...stringFields(node.items, [...path, 0]));
    if (node.additionalProperties && typeof node.additionalProperties === "object")
      out.push(...stringFields(node.additionalProperties, [...path, "k"]));
    return out;
  }
  const clouds = (clusterJsonSchema().oneOf ?? clusterJsonSchema().anyOf) as SchemaNode[];

  /** The demo of the cloud with the payload in `field` (and what that field needs beside it). */
  function hostile(cloud: "openstack" | "aws", field: (string | number)[]): string {
    const changes: Changes = [[field, PAYLOAD]];
    const f = field.join(".");
    if (f.startsWith("image.properties")) changes.unshift([["image", "name"], undefined]);
    if (f.startsWith("image.id")) changes.unshift([["image", "name"], undefined]);
    if (f.startsWith("backend.")) {
      const http = ["backend.address", "backend.lockAddress", "backend.unlockAddress"].includes(f);
      const base =
        f === "backend.path"
          ? { type: "local" }
          : http
            ? { type: "http", address: "https://state.example.com/x" }
            : { type: "s3", bucket: "tfstate", region: "eu-west-1" };
      changes.unshift([["backend"], base]);
    }
    if (f.startsWith("dns.")) changes.unshift([["dns"], { zone: "example.com", zoneId: "0123456789abcdef0123456789abcdef" }]);
    if (f.startsWith("aws.zones")) changes.unshift([["aws", "zones"], ["eu-central-1a"]]);
    if (f.startsWith("openstack.apiLoadBalancer")) changes.unshift([["openstack", "apiLoadBalancer"], {}]);
    if (f === "kubernetes.binaries.url") changes.unshift([["kubernetes", "binaries"], { source: "sysext", sha512: "a".repeat(128) }]);
    if (f === "ssh.authorizedKeys.0")
      changes[changes.length - 1] = [field, `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJr3pXUs1xq0H8Ykq4t9cCQmO6xFq2vLkH2m2n0FZ1tQ ${PAYLOAD}`];
    return (cloud === "aws" ? awsYaml : demoYaml)(changes);
  }

  const accepted: { cloud: string; field: string; text: string }[] = [];
  const refusedFields: string[] = [];

  it("every string field of either cloud either refuses the payload (it has a grammar) or takes it", () => {
    for (const [i, cloud] of (["openstack", "aws"] as const).entries()) {
      const fields = stringFields(clouds[i] as SchemaNode).filter((p) => !["name", "cloud"].includes(String(p[0])));
      expect(fields.length).toBeGreaterThan(15);
      for (const field of fields) {
        const text = hostile(cloud, field);
        try {
          parseCluster(text, "hostile.yaml");
          accepted.push({ cloud, field: field.join("."), text });
        } catch (e) {
          // refused: the message names the field the payload is in
          expect((e as Error).message, field.join(".")).toContain(
            field
              .join(".")
              .replace(/\.(\d+)/g, "[$1]")
              .replace(/\.k$/, ".k"),
          );
          refusedFields.push(`${cloud}:${field.join(".")}`);
        }
      }
    }
    // free text is taken (and must then be escaped); everything with a grammar refuses it
    expect(accepted.map((a) => `${a.cloud}:${a.field}`).sort()).toEqual(
      [
        "aws:backend.key",
        "aws:ssh.authorizedKeys.0",
        "openstack:backend.key",
        "openstack:image.name",
        "openstack:image.properties.k",
        "openstack:openstack.cloud",
        "openstack:openstack.externalNetwork",
        "openstack:openstack.volumeType",
        "openstack:ssh.authorizedKeys.0",
      ].sort(),
    );
    for (const f of [
      "openstack:etcd.flavor",
      "openstack:openstack.region",
      "openstack:openstack.availabilityZone",
      "aws:aws.profile",
      "openstack:backend.bucket",
      "openstack:kubernetes.binaries.url",
      "openstack:dns.zone",
      "openstack:dns.api",
      "openstack:kubernetes.version",
    ])
      expect(refusedFields).toContain(f);
  });

  it("what is taken reaches the Terraform JSON escaped, and the real terraform reads it back literally", () => {
    expect(accepted.length).toBeGreaterThan(5);
    const outputs: Record<string, { value: string }> = {};
    const literal: string[] = [];
    for (const a of accepted) {
      const tf = synthJson(parseCluster(a.text, "hostile.yaml"));
      const found: string[] = [];
      const walk = (v: unknown, inBackend: boolean) => {
        if (typeof v === "string") {
          if (!v.includes("slipway-payload")) return;
          if (inBackend) literal.push(v);
          else found.push(v);
        } else if (Array.isArray(v)) for (const x of v) walk(x, inBackend);
        else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, inBackend || k === "backend");
      };
      walk(tf, false);
      expect(found.length + literal.length, `${a.cloud}:${a.field} lands nowhere`).toBeGreaterThan(0);
      for (const s of found) {
        // no interpolation or directive of the file's survives unescaped
        expect(s.replace(/\$\$\{/g, "").replace(/%%\{/g, ""), `${a.cloud}:${a.field}`).not.toMatch(/\$\{file|%\{ (if|endif)/);
        if (!s.replace(/\$\$\{/g, "").includes("${")) outputs[`o${Object.keys(outputs).length}`] = { value: s };
      }
    }
    // the backend block is the one place Terraform reads literally: there the value is as written
    expect(literal.length).toBe(2);
    for (const s of literal) expect(s).toBe(PAYLOAD);

    const got = applyOffline(join(work.dir, "tf-eval"), { output: outputs });
    const values = Object.values(got).map((o) => String(o.value));
    expect(values.length).toBe(Object.keys(outputs).length);
    for (const v of values) {
      expect(v).toContain(PAYLOAD);
      expect(v).not.toMatch(/slipway-payload [^$]/); // /etc/hostname's contents did not take the file() call's place
    }
  });

  it("the backend block is read literally: proved by terraform itself with a local backend", () => {
    const dir = join(work.dir, "tf-backend");
    const out = applyOffline(dir, {
      terraform: { backend: { local: { path: 'state-${file("/etc/hostname")}.tfstate' } } },
      output: { ok: { value: terraformLiteral("${x}") } },
    });
    expect(out.ok?.value).toBe("${x}");
    expect(spawnSync("ls", [dir], { encoding: "utf8" }).stdout).toContain("state-${file(");
  });

  it("a value holding cdktf's own token marker is refused (it would be read as a reference)", () => {
    refused(`${MIN}image:\n  name: "x\${TfToken[TOKEN.1]}"\n`, /image\.name: holds the sequence \$\{TfToken\[/);
  });
});

describe("the escaping module, against the real consumers", () => {
  const nasty = [
    "plain",
    "with space",
    'quote"d',
    "back\\slash",
    "per%cent%%",
    "dollar$HOME and $$",
    "semi;colon",
    "`tick`",
    "$(id)",
    "it's",
    "*?[",
    "tab\there",
  ];

  it("systemdWord: systemd passes each word to the program exactly as it was", () => {
    const dir = join(work.dir, "units");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "words.service"), `[Service]\nType=oneshot\nExecStart=/bin/echo ${nasty.map(systemdWord).join(" ")}\n`);
    expect(systemdExecStart(dir, "words.service")).toEqual(["/bin/echo", ...nasty]);
  });

  it("shellWord: a shell hands each word over exactly as it was", () => {
    const r = spawnSync("sh", ["-c", `printf '%s\\n' ${nasty.map(shellWord).join(" ")}`], { encoding: "utf8" });
    expect(r.stdout.split("\n").slice(0, -1)).toEqual(nasty);
  });

  it("terraformLiteral: terraform evaluates each escaped string to the string itself", () => {
    const values = [...nasty, '${file("/etc/hostname")}', "%{ if true }y%{ endif }", "$${already}", "a${b}%{c}"];
    const out = applyOffline(join(work.dir, "tf-literal"), {
      output: Object.fromEntries(values.map((v, i) => [`v${i}`, { value: terraformLiteral(v) }])),
    });
    expect(values.map((_, i) => out[`v${i}`]?.value)).toEqual(values);
  });
});

// ---------------------------------------------------------------------------------------------

describe("URLs: https, strict grammar, never credentials", () => {
  const sysext = (url: string) =>
    `${MIN}kubernetes:\n  binaries:\n    source: sysext\n    sha512: ${"a".repeat(128)}\n    url: ${JSON.stringify(url)}\n`;
  it("refuses what is not an https URL", () => {
    for (const url of [
      "http://example.com/k.raw",
      "ftp://example.com/k.raw",
      "javascript:alert(1)",
      "example.com/k.raw",
      "file:///etc/passwd",
    ])
      refused(sysext(url), /kubernetes\.binaries\.url: must be an https:\/\/ URL|must be a URL/);
    for (const url of [
      "https://example.com/a b.raw",
      "https://example.com/`id`.raw",
      'https://example.com/"q".raw',
      "https://example.com/{x}",
      "https://example.com/\\x",
      "https://example.com/%zz",
    ])
      refused(sysext(url), /kubernetes\.binaries\.url: must be a URL such as .*no spaces, quotes or braces/);
  });

  it("refuses credentials in any URL, naming where they belong instead", () => {
    refused(sysext("https://user:pw@example.com/k.raw"), /kubernetes\.binaries\.url: must not carry credentials \(user:password@…\)/);
    refused(
      `${MIN}backend:\n  type: http\n  address: https://ci:glpat-secret@gitlab.example.com/api/v4/projects/1/terraform/state/x\n`,
      /backend\.address: must not carry credentials \(user:password@…\); give them in TF_HTTP_USERNAME and TF_HTTP_PASSWORD/,
    );
    refused(
      `${MIN}backend:\n  type: s3\n  bucket: tfstate\n  region: eu-west-1\n  endpoint: https://s3.example.com/?X-Amz-Credential=AKIA123\n`,
      /backend\.endpoint: must not carry credentials \(\?X-Amz-Credential=…\); give them in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    refused(
      `${MIN}backend:\n  type: s3\n  bucket: tfstate\n  region: eu-west-1\n  endpoint: https://AKIA:secret@s3.example.com\n`,
      /backend\.endpoint: must not carry credentials/,
    );
    refused(sysext("https://example.com/k.raw?token=abc"), /must not carry credentials \(\?token=…\)/);
  });

  it("takes an http backend on this machine only", () => {
    const f = fileWith(`${MIN}backend:\n  type: http\n  address: http://127.0.0.1:8080/state\n`);
    expect(slipway(["validate", f]).code).toBe(0);
    refused(
      `${MIN}backend:\n  type: http\n  address: http://state.example.com/state\n`,
      /backend\.address: must be an https:\/\/ URL .*\(http:\/\/ only to localhost\)/,
    );
  });
});

describe("malformed files: one accurate line, exit 1", () => {
  it("refuses duplicate admin networks, however they are written", () => {
    refused(
      `name: d\ncloud: openstack\nadminCidrs: [192.0.2.0/24, 192.0.2.0/24]\n`,
      /adminCidrs\[1\]: 192\.0\.2\.0\/24 is listed twice \(also adminCidrs\[0\]\)/,
      { line: 3, col: 28 },
    );
    refused(
      `name: d\ncloud: openstack\nadminCidrs: [2001:db8::/32, "2001:0DB8::/32"]\n`,
      /adminCidrs\[1\]: 2001:db8::\/32 is listed twice/,
    );
    refused(
      `name: d\ncloud: openstack\nadminCidrs:\n  - 2001:db8:0:0::/64\n  - 2001:db8::/64\n`,
      /adminCidrs\[1\]: 2001:db8::\/64 is listed twice/,
      { line: 5, col: 5 },
    );
  });

  it("gives IPv6 networks that looked alike before their own rules (a::b and a:b:: do not meet)", () => {
    const tf = synthJson(
      parseCluster(
        `${MIN.replace("[192.0.2.0/24]", "[2001:db8::1:0/112, 2001:db8:1::/112, 2001:db8::1/128, 2001:db8:0:0:1::/80]")}`,
        "v6.yaml",
      ),
    );
    const rules = Object.keys(tf.resource.openstack_networking_secgroup_rule_v2 ?? {}).filter((k) => k.includes("from_2001"));
    expect(rules).toHaveLength(8); // SSH and API for each of four networks
    expect(new Set(rules).size).toBe(8);
  });

  it("caps admin networks at what a security group quota holds", () => {
    const cidrs = Array.from({ length: 33 }, (_, i) => `10.${i}.0.0/16`);
    refused(`name: d\ncloud: openstack\nadminCidrs: [${cidrs.join(", ")}]\n`, /adminCidrs: allows at most 32 networks .* aggregate them/);
  });

  it("refuses alias tricks: an alias bomb, an alias without anchor, too many aliases", () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n${MIN}`;
    refused(bomb, /aliases expand to too much/);
    refused(`${MIN}etcd:\n  flavor: *small\n`, /alias \*small has no anchor &small before it/, { line: 5, col: 11 });
    const many = Array.from({ length: 101 }, () => "*x").join(", ");
    refused(`x: &x 1\ny: [${many}]\n${MIN}`, /more than 100 aliases/);
  });

  it("refuses nesting deeper than 64 levels, flow or block, where it gets too deep", () => {
    refused(`${MIN}x: ${"[".repeat(5000)}${"]".repeat(5000)}\n`, /YAML nesting deeper than 64 levels/);
    const block = Array.from({ length: 80 }, (_, i) => `${"  ".repeat(i)}a${i}:`).join("\n");
    refused(`${MIN}${block} 1\n`, /YAML nesting deeper than 64 levels/);
  });

  it("refuses __proto__ anywhere, and names constructor as the unknown field it is", () => {
    refused(`${MIN}__proto__: {x: 1}\n`, /"__proto__" is not a field name slipway accepts/, { line: 4, col: 1 });
    refused(`${MIN}image:\n  properties:\n    __proto__: x\n`, /"__proto__" is not a field name/, { line: 6, col: 5 });
    refused(`${MIN}constructor: 1\n`, /constructor: unknown field "constructor"; allowed here: /);
  });

  it("refuses other encodings and invalid bytes, saying which", () => {
    refused(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(MIN, "utf16le")]), /: is UTF-16; save it as UTF-8/);
    refused(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(MIN, "utf16le").swap16()]), /is UTF-16/);
    refused(Buffer.from(MIN, "utf16le"), /is UTF-16/); // no byte order mark
    refused(Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from("n\0\0\0", "latin1")]), /is UTF-32/);
    refused(
      Buffer.concat([Buffer.from(MIN), Buffer.from("etcd: {flavor: m1.sm\xe9ll}\n", "latin1")]),
      /:4:21: is not valid UTF-8: byte 0xe9 here/,
    );
    const bom = fileWith(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(MIN)]));
    expect(slipway(["validate", bom]).code).toBe(0); // a UTF-8 byte order mark is fine
  });

  it("refuses control characters — NUL, terminal escapes, text direction overrides — and never replays them", () => {
    refused(`${MIN}image:\n  name: "flatcar\u0000"\n`, /:5:17: holds a control character \(\\x00\) here/);
    const esc = refused(`${MIN}image:\n  name: "\u001b[31mred\u001b[0m"\n`, /:5:10: holds a control character \(\\x1b\) here/);
    expect(esc.stderr).not.toContain("\u001b");
    refused(`${MIN}# a comment \u001b]0;title\u0007\n`, /:4:13: holds a control character \(\\x1b\)/);
    refused(`${MIN}image:\n  name: "flat\u202ecar"\n`, /holds a control character \(\\u202e\)/);
  });

  it("refuses a file over 1 MiB before reading it", () => {
    refused(`${MIN}# ${"x".repeat(1 << 20)}\n`, /: is 1,048,6\d\d bytes; a cluster file is at most 1,048,576 bytes \(1 MiB\)/);
  });

  it("refuses an integer too large to be exact instead of rounding it", () => {
    refused(
      `${MIN}workers:\n  - {name: a, count: 100000000000000000001}\n`,
      /:5:22: 100000000000000000001 is too large to be represented exactly/,
    );
  });

  it("refuses YAML tags, never drops them", () => {
    refused(`${MIN}image: !foo {name: x}\n`, /:4:8: YAML: Unresolved tag: !foo/);
    refused(`${MIN}image:\n  name: !!binary eGVu\n`, /YAML tag !!binary is not used in cluster files/);
    refused(`${MIN}etcd: !!set {flavor}\n`, /YAML tag !!set is not used in cluster files/);
    const core = fileWith(`${MIN}etcd: {count: !!int 3}\n`);
    expect(slipway(["validate", core]).code).toBe(0);
  });
});

describe("locations", () => {
  it("an unclosed quote or bracket points where it opens", () => {
    refused(`${MIN}image: {name: "unclosed\n`, /:4:15: YAML syntax: this " is never closed/);
    refused(`${MIN}image:\n  name: 'unclosed\netcd: {count: 3}\n`, /:5:9: YAML syntax: this ' is never closed/);
    refused(`${MIN}workers: [{name: a, count: 1}\netcd: {count: 3}\n`, /:4:10: YAML syntax: this \[ is never closed \(\] missing\)/);
    refused(`${MIN}etcd: {count: 3\nmasters: {count: 3}\n`, /:4:7: YAML syntax: this \{ is never closed \(\} missing\)/);
  });

  it("reads CR-only and CRLF line endings as lines", () => {
    refused(`${MIN}flavour: x\n`.replace(/\n/g, "\r"), /:4:1: flavour: unknown field "flavour"/);
    refused(`${MIN}flavour: x\n`.replace(/\n/g, "\r\n"), /:4:1: flavour: unknown field "flavour"/);
  });

  it("a problem with a default names the field and says so, pointing at no unrelated line", () => {
    // renewBeforeDays is not set: its default (30) is too long for the file's certValidityDays
    refused(
      `${MIN}pki:\n  certValidityDays: 20\n`,
      /:4:1: pki\.renewBeforeDays: must be shorter than pki\.certValidityDays \(20\) \(pki\.renewBeforeDays is not in the file: its default, 30, applies\)/,
    );
    // nothing of network is in the file: the problem has no line of its own
    const r = refused(
      `${MIN}workers:\n  - {name: big, count: 1, maxCount: 65536}\n`,
      /\.yaml: network\.nodes: 10\.0\.0\.0\/16 is too small.*\(network\.nodes is not in the file: its default, "10\.0\.0\.0\/16", applies\)/,
    );
    expect(r.stderr).not.toMatch(/\.yaml:\d+:\d+:/);
  });

  it("file-system problems name the user's path in words", () => {
    const dir = join(work.dir, "a-folder.yaml");
    mkdirSync(dir);
    expect(slipway(["validate", dir]).stderr).toBe(`${dir}: cannot read cluster file: is a directory, not a cluster file\n`);
    const locked = fileWith(MIN);
    chmodSync(locked, 0o600);
    const r = spawnSync(
      "setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        process.execPath,
        join(__dirname, "..", "bin", "slipway.js"),
        "validate",
        locked,
      ],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${locked}: cannot read cluster file: permission denied\n`);
  });
});

describe("accepted today, wrong later: refused now", () => {
  it("Kubernetes versions that do not exist, saying which do (newest first)", () => {
    for (const v of ["1.38.0", "1.36.99", "1.34.9", "1.29.0", "2.0.0"])
      refused(
        `${MIN}kubernetes: {version: "${v}"}\n`,
        /kubernetes\.version: .*known releases, newest first: 1\.37\.0–1\.37\.\d+, 1\.36\.0–1\.36\.\d+, 1\.35\.0–1\.35\.\d+/,
      );
    refused(`${MIN}kubernetes: {version: "1.36"}\n`, /kubernetes\.version: must be a Kubernetes release such as 1\.36\.1/);
    const ok = fileWith(`${MIN}kubernetes: {version: "1.37.1"}\n`);
    expect(slipway(["validate", ok]).code).toBe(0);
  });

  it("DNS names with empty or oversized labels", () => {
    const dns = (extra: string) => `${MIN}dns:\n  zone: example.com\n  zoneId: 0123456789abcdef0123456789abcdef\n${extra}`;
    refused(dns("  api: a..b\n"), /dns\.api: must be a DNS name/);
    refused(dns("  ingress: '*..apps'\n"), /dns\.ingress: must be a DNS name/);
    refused(dns(`  api: ${"a".repeat(64)}\n`), /dns\.api: must be a DNS name/);
    refused(`${MIN}dns:\n  zone: example..com\n  zoneId: 0123456789abcdef0123456789abcdef\n`, /dns\.zone: must be a DNS name/);
    refused(`${MIN}kubernetes: {clusterDomain: "cluster..local"}\n`, /kubernetes\.clusterDomain: must be a DNS name/);
  });

  it("AWS pools are Auto Scaling groups: no maxCount, and large pools fit when the subnets do", () => {
    refused(
      awsYaml([[["workers", 0, "maxCount"], 512]]),
      /workers\[0\]\.maxCount: unknown field "maxCount": it belongs to cloud: openstack/,
    );
    const big = fileWith(
      awsYaml([
        [["workers", 0, "count"], 300],
        [["network", "pods"], "10.128.0.0/12"],
      ]),
    );
    const r = slipway(["validate", big]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("300 workers");
  });

  it("names in the clouds' grammars", () => {
    refused(`${MIN}etcd: {flavor: "m1.small; rm -rf /"}\n`, /etcd\.flavor: must be a flavor name/);
    refused(`${MIN}openstack: {availabilityZone: "nova zone"}\n`, /openstack\.availabilityZone: must be a name such as nova/);
    refused(awsYaml([[["aws", "profile"], "prod profile"]]), /aws\.profile: must be a profile name/);
    refused(`${MIN}backend: {type: s3, bucket: "My_Bucket", region: eu-west-1}\n`, /backend\.bucket: must be an S3 bucket name/);
    refused(`${MIN}image: {name: " padded"}\n`, /image\.name: must not start or end with spaces/);
  });
});

// what the refused files above did not do: the strings stay out of everything written
describe("nothing of a refused file is written", () => {
  it("synth of a refused file writes no folder", () => {
    const f = fileWith(`${MIN}image:\n  name: "\u001b[2J"\n`);
    const out = join(work.dir, "never");
    expect(slipway(["synth", f, "--out", out]).code).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
});
