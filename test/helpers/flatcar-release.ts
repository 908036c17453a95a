// A Flatcar release as Flatcar publishes it, made by the test: a small disk image laid out like
// Flatcar's (GPT with EFI-SYSTEM, USR-A, OEM and an ext4 ROOT as the last partition), its DIGESTS
// (md5, sha1, sha512 sections) and a detached, armored signature of the DIGESTS made with a key
// generated here. The real tools make it: sfdisk, mke2fs, qemu-img, openpgp.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as openpgp from "openpgp";

export const IMAGE = "flatcar_production_openstack_image.img";

export interface TestKey {
  publicArmored: string;
  privateKey: openpgp.PrivateKey;
}

export async function testKey(name = "Slipway Test Builds"): Promise<TestKey> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: "ecc",
    curve: "nistP256",
    userIDs: [{ name, email: "builds@example.test" }],
    format: "armored",
  });
  return { publicArmored: publicKey, privateKey: await openpgp.readPrivateKey({ armoredKey: privateKey }) };
}

export async function sign(data: string, key: TestKey): Promise<string> {
  const message = await openpgp.createMessage({ binary: Buffer.from(data, "utf8") });
  return (await openpgp.sign({ message, signingKeys: key.privateKey, detached: true, format: "armored" })) as string;
}

export function digests(bytes: Buffer, name: string): string {
  const h = (algo: string) => createHash(algo).update(bytes).digest("hex");
  return `# MD5 HASH\n${h("md5")}  ${name}\n# SHA1 HASH\n${h("sha1")}  ${name}\n# SHA512 HASH\n${h("sha512")}  ${name}\n`;
}

/** Publishes `bytes` as <base>/<arch>-usr/<version>/<name> with signed DIGESTS; `current` too when asked. */
export async function publish(
  base: string,
  opts: { version: string; arch?: string; name?: string; bytes: Buffer; key: TestKey; current?: boolean },
): Promise<string> {
  const name = opts.name ?? IMAGE;
  const dirs = [opts.version, ...(opts.current ? ["current"] : [])].map((v) => join(base, `${opts.arch ?? "amd64"}-usr`, v));
  const d = digests(opts.bytes, name);
  const asc = await sign(d, opts.key);
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), opts.bytes);
    writeFileSync(join(dir, `${name}.DIGESTS`), d);
    writeFileSync(join(dir, `${name}.DIGESTS.asc`), asc);
    writeFileSync(
      join(dir, "version.txt"),
      `FLATCAR_BUILD=${opts.version.split(".")[0]}\nFLATCAR_VERSION=${opts.version}\nFLATCAR_VERSION_ID=${opts.version}\n`,
    );
  }
  return dirs[0] as string;
}

export const SECTOR = 512;

export interface DiskLayout {
  /** size of the ROOT partition (the last one) in MiB */
  rootMiB: number;
  /** total disk size in MiB (room after ROOT is left unpartitioned, as Flatcar's images do not) */
  diskMiB?: number;
}

/**
 * A small disk laid out like Flatcar's image, as qcow2. ROOT holds /etc and /opt as Flatcar's does
 * before first boot. Returns the qcow2's bytes.
 */
export function flatcarLikeDisk(dir: string, layout: DiskLayout = { rootMiB: 24 }): Buffer {
  mkdirSync(dir, { recursive: true });
  const raw = join(dir, "disk.raw");
  const rootStart = 2048 + 8192 + 16384 + 4096; // after EFI-SYSTEM (4 MiB), USR-A (8 MiB), OEM (2 MiB)
  const diskMiB = layout.diskMiB ?? Math.ceil((rootStart * SECTOR) / 1048576) + layout.rootMiB + 1;
  execFileSync("truncate", ["-s", `${diskMiB}M`, raw]);
  const table = [
    "label: gpt",
    "start=2048, size=8192, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=EFI-SYSTEM",
    "start=10240, size=16384, type=5DFBF5F4-2848-4BAC-AA5E-0D9A20B745A6, name=USR-A",
    "start=26624, size=4096, type=C95DC21A-DF0E-4340-8D7B-26CBFA9A03E0, name=OEM",
    `start=${rootStart}, size=${layout.rootMiB * 2048}, type=3884DD41-8582-4404-B9A8-E9B84F2DF50E, name=ROOT`,
  ].join("\n");
  execFileSync("sfdisk", ["--quiet", raw], { input: `${table}\n` });
  const tree = join(dir, "root-tree");
  mkdirSync(join(tree, "etc"), { recursive: true });
  mkdirSync(join(tree, "opt"), { recursive: true });
  writeFileSync(join(tree, "etc", "machine-id"), "");
  const fs = join(dir, "root.ext4");
  execFileSync("truncate", ["-s", `${layout.rootMiB}M`, fs]);
  execFileSync("mke2fs", ["-q", "-F", "-t", "ext4", "-L", "ROOT", "-d", tree, fs]);
  execFileSync("dd", [`if=${fs}`, `of=${raw}`, "bs=512", `seek=${rootStart}`, "conv=notrunc", "status=none"]);
  const qcow = join(dir, "disk.qcow2");
  execFileSync("qemu-img", ["convert", "-q", "-f", "raw", "-O", "qcow2", raw, qcow]);
  const bytes = readFileSync(qcow);
  for (const f of [raw, fs, qcow]) rmSync(f, { force: true });
  rmSync(tree, { recursive: true, force: true });
  return bytes;
}

/**
 * A Kubernetes system extension image as the sysext-bakery makes them (squashfs, with
 * extension-release metadata), with `kubelet` holding the given bytes. Returns its path.
 */
export function sysextImage(dir: string, name: string, kubelet: Buffer): string {
  const tree = join(dir, `${name}.tree`);
  mkdirSync(join(tree, "usr", "bin"), { recursive: true });
  mkdirSync(join(tree, "usr", "lib", "extension-release.d"), { recursive: true });
  writeFileSync(join(tree, "usr", "bin", "kubelet"), kubelet);
  writeFileSync(join(tree, "usr", "lib", "extension-release.d", "extension-release.kubernetes"), "ID=flatcar\nSYSEXT_LEVEL=1.0\n");
  const out = join(dir, name);
  execFileSync("mksquashfs", [tree, out, "-quiet", "-all-root", "-noappend", "-no-progress"]);
  rmSync(tree, { recursive: true });
  return out;
}
