// The real Ignition tools from Debian's `ignition` package: ignition-validate, and the Ignition
// binary itself applying a config's files stage into a scratch root (no real rootfs needed; see
// the steps below). Plus systemd-analyze verify against a minimal Flatcar-like root.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GATEWAY_API, GATEWAY_API_FILES, gatewayApiFile, gatewayApiUrl } from "../../bootstrap/addons/gateway-api";
import { ROOT, tmp } from "./clusters";

export const IGNITION_BIN = "/usr/lib/dracut/modules.d/30ignition/ignition";

export function requireTool(path: string, pkg: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's ${pkg} package (.ci/run does)`);
}

/** ignition-validate on a config: passes only with exit 0 and no output at all (warnings fail). */
export function ignitionValidate(config: string): { ok: boolean; output: string } {
  requireTool("/usr/bin/ignition-validate", "ignition");
  const r = spawnSync("ignition-validate", ["-"], { input: config, encoding: "utf8" });
  const output = `${r.stdout}${r.stderr}`.trim();
  return { ok: r.status === 0 && output === "", output: r.status === 0 ? output : `${output} (exit ${r.status})` };
}

/** Every URL a config makes Ignition download (files, merged or replacing configs), unwrapped. */
export function remoteSources(config: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) {
        if (k === "source" && typeof x === "string") {
          if (x.startsWith("data:")) {
            const { compression } = v as { compression?: string };
            const inner = decodeDataUrl(x, compression).toString("utf8");
            if (inner.trimStart().startsWith("{")) walk(JSON.parse(inner));
          } else out.push(x);
        } else walk(x);
      }
  };
  walk(JSON.parse(config));
  return out;
}

/**
 * Files a config downloads from the Internet that this repository holds a byte-exact copy of: the
 * Gateway API CRDs of the pinned commit (test/crds/gateway-api-v1.5.1, the repository's blobs, which
 * raw.githubusercontent.com serves as they are).
 */
const MIRRORED: ReadonlyMap<string, string> = new Map(
  GATEWAY_API_FILES.map(([name]) => [
    gatewayApiUrl(name),
    join(ROOT, "test", "crds", `gateway-api-${GATEWAY_API.version}`, gatewayApiFile(name)),
  ]),
);

/**
 * `config` with every mirrored download given as a data: URL of the copy instead, its
 * verification hash kept: Ignition still checks the SHA-512 the config pins, against the very
 * bytes the real source serves. The network is what is stood in for, not the check.
 */
export function withMirroredSources(config: string): string {
  let changed = false;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === "object") {
      const o = v as { source?: unknown; compression?: string };
      if (typeof o.source === "string") {
        const copy = MIRRORED.get(o.source);
        if (copy) {
          o.source = `data:;base64,${readFileSync(copy).toString("base64")}`;
          changed = true;
        } else if (o.source.startsWith("data:")) {
          // a config inside a config (the user_data wrapper): mirror inside it too
          const inner = decodeDataUrl(o.source, o.compression).toString("utf8");
          if (inner.trimStart().startsWith("{")) {
            const rewritten = withMirroredSources(inner);
            if (rewritten !== inner) {
              o.source = `data:;base64,${Buffer.from(rewritten).toString("base64")}`;
              delete o.compression;
              changed = true;
            }
          }
        }
      }
      for (const x of Object.values(v)) walk(x);
    }
  };
  const parsed: unknown = JSON.parse(config);
  walk(parsed);
  return changed ? JSON.stringify(parsed) : config;
}

/**
 * Apply a config with the real Ignition binary: fetch stage, then files stage into `root`, then
 * enable what the Ignition preset names (Ignition only writes presets; systemd turns them into
 * .wants links at first boot). Downloads must be served on loopback (a test never reaches out,
 * and Ignition would retry an unreachable source for ever); `caFile` is the CA they are signed by.
 */
export function ignitionApply(config: string, root: string, opts: { caFile?: string } = {}): void {
  requireTool(IGNITION_BIN, "ignition");
  config = withMirroredSources(config);
  const far = remoteSources(config).filter((u) => !/^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])[:/]/.test(u));
  if (far.length)
    throw new Error(
      `this config downloads ${far.join(", ")} at first boot; tests apply only configs whose downloads are served on loopback (test/helpers/sysext-server.ts)`,
    );
  const work = tmp("slipway-ign-");
  try {
    // Ignition writes ~/.ssh as the user itself: it must be able to walk down to the root
    mkdirSync(root, { recursive: true });
    for (let d = root; d !== "/" && d !== "/tmp"; d = join(d, "..")) chmodSync(d, 0o755);
    const cfg = join(work.dir, "config.ign");
    writeFileSync(cfg, config);
    mkdirSync(join(root, "etc", "selinux"), { recursive: true });
    // Debian builds Ignition with SELinux relabelling: it reads this file and runs `setfiles`.
    writeFileSync(join(root, "etc", "selinux", "config"), "SELINUXTYPE=mcs\n");
    const stub = join(work.dir, "stub");
    mkdirSync(stub);
    writeFileSync(join(stub, "setfiles"), "#!/bin/sh\ncat >/dev/null\n");
    chmodSync(join(stub, "setfiles"), 0o755);
    // useradd/usermod --root need these files
    for (const f of ["passwd", "group", "shadow", "gshadow"])
      if (!existsSync(join(root, "etc", f))) writeFileSync(join(root, "etc", f), "");
    if (!readFileSync(join(root, "etc", "passwd"), "utf8").includes("root:"))
      writeFileSync(join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/bash\n", { flag: "a" });
    if (!readFileSync(join(root, "etc", "group"), "utf8").includes("root:"))
      writeFileSync(join(root, "etc", "group"), "root:x:0:\n", { flag: "a" });
    const common = [
      "--platform",
      "file",
      "--log-to-stdout",
      "--config-cache",
      join(work.dir, "cache.json"),
      "--state-file",
      join(work.dir, "state"),
      "--neednet",
      join(work.dir, "neednet"),
    ];
    const tls = opts.caFile ? { SSL_CERT_FILE: opts.caFile } : {};
    // the fetch stage follows a config.replace pointer (Swift, S3): it needs the CA as well
    const fetch = spawnSync(IGNITION_BIN, [...common, "--stage", "fetch"], {
      env: { ...process.env, IGNITION_CONFIG_FILE: cfg, ...tls },
      encoding: "utf8",
      timeout: 120_000,
    });
    if (fetch.status !== 0) throw new Error(`ignition fetch stage failed:\n${fetch.stdout}${fetch.stderr}`);
    const files = spawnSync(IGNITION_BIN, [...common, "--stage", "files", "--root", root], {
      env: { ...process.env, PATH: `${stub}:${process.env.PATH}`, ...tls },
      encoding: "utf8",
      timeout: 120_000,
    });
    if (files.status !== 0)
      throw new Error(
        `ignition files stage failed:\n${`${files.stdout}${files.stderr}`
          .split("\n")
          .filter((l) => !l.includes("journal"))
          .join("\n")}`,
      );
    // masks point at /dev/null, which every real root has
    mkdirSync(join(root, "dev"), { recursive: true });
    if (!existsSync(join(root, "dev", "null"))) spawnSync("mknod", ["-m", "666", join(root, "dev", "null"), "c", "1", "3"]);
    // first boot applies the preset; do it unit by unit (preset-all stops at a masked unit)
    const preset = join(root, "etc", "systemd", "system-preset", "20-ignition.preset");
    const enabled = existsSync(preset) ? [...readFileSync(preset, "utf8").matchAll(/^enable (\S+)$/gm)].map((m) => m[1] as string) : [];
    for (const unit of enabled) {
      const r = spawnSync("systemctl", [`--root=${root}`, "enable", unit], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`systemctl enable ${unit} failed in the applied root:\n${r.stderr}`);
    }
  } finally {
    work.cleanup();
  }
}

/**
 * Programs Flatcar ships (and /usr/bin/kubelet, from the Kubernetes system extension) that our
 * units call; stubbed in the verification root. A unit calling anything else fails verification.
 */
const FLATCAR_PROGRAMS = [
  "/usr/bin/docker",
  "/usr/bin/curl",
  "/usr/bin/mkdir",
  "/usr/bin/cp",
  "/usr/bin/bash",
  "/usr/bin/containerd",
  "/usr/bin/kubelet",
];
/** Units Flatcar ships that ours depend on. */
const FLATCAR_UNITS = ["docker.service", "containerd.service", "systemd-sysext.service"];

/**
 * systemd-analyze verify on every unit Ignition wrote into `root`, with systemd's own targets and
 * stubs standing in for the units Flatcar ships. Passes only with no output at all.
 */
export function verifyUnits(root: string): { ok: boolean; output: string; units: string[] } {
  const unitDir = join(root, "etc", "systemd", "system");
  const lib = join(root, "usr", "lib", "systemd", "system");
  mkdirSync(lib, { recursive: true });
  for (const f of readdirSync("/lib/systemd/system"))
    if (/\.(target|slice)$/.test(f) && !existsSync(join(lib, f))) copyFileSync(join("/lib/systemd/system", f), join(lib, f));
  for (const f of ["systemd-journal-flush.service", "systemd-udev-settle.service"])
    if (existsSync(join("/lib/systemd/system", f))) copyFileSync(join("/lib/systemd/system", f), join(lib, f));
  for (const u of FLATCAR_UNITS)
    if (!existsSync(join(lib, u)))
      writeFileSync(join(lib, u), `[Unit]\nDescription=${u} (Flatcar ships it)\n[Service]\nExecStart=/usr/bin/docker\n`);
  for (const p of FLATCAR_PROGRAMS) {
    const path = join(root, p);
    if (!existsSync(path)) {
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, "#!/bin/sh\n");
      chmodSync(path, 0o755);
    }
  }
  // masked units are links to /dev/null: nothing to verify
  const units = readdirSync(unitDir).filter(
    (f) => /\.(service|timer|mount|socket|path)$/.test(f) && !lstatSync(join(unitDir, f)).isSymbolicLink(),
  );
  const r = spawnSync("systemd-analyze", ["verify", "--man=no", `--root=${root}`, ...units.map((u) => `/etc/systemd/system/${u}`)], {
    encoding: "utf8",
  });
  const output = `${r.stdout}${r.stderr}`
    .split("\n")
    // systemd's own units from this host refer to things a scratch root lacks; only ours count
    .filter((l) => l.trim() && units.some((u) => l.includes(u)))
    .join("\n");
  return { ok: r.status === 0 && output === "", output, units };
}

/** Decode a data URL as Ignition would (percent-encoding or base64, gzip when compressed). */
export function decodeDataUrl(source: string, compression?: string): Buffer {
  const comma = source.indexOf(",");
  const meta = source.slice(5, comma);
  const body = source.slice(comma + 1);
  const raw = meta.endsWith(";base64") ? Buffer.from(body, "base64") : Buffer.from(decodeURIComponent(body), "utf8");
  return compression === "gzip" ? require("node:zlib").gunzipSync(raw) : raw;
}
