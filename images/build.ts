// `slipway image build`: a Flatcar image ready for Glance, optionally with the Kubernetes system
// extension baked in, so machines booted from it download nothing at first boot.
//
//   source (a verified release from the cache — fetched if need be — or --image FILE)
//   → raw copy in a scratch folder beside the output
//   → ROOT partition found in the GPT; grown (disk, table, filesystem) if the extension needs room
//   → /opt/extensions/kubernetes/kubernetes-v<k8s>-<arch>.raw and /etc/extensions/kubernetes.raw
//     written into ROOT (loop mount as root, debugfs otherwise) and read back
//   → converted to qcow2 (or left raw), renamed into place with its .slipway.json
// The node configs install the extension from exactly that path (bootstrap/versions.ts), so a
// baked machine finds it there and skips the download. A failure or an interrupt leaves no
// output and no scratch files.
import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { SYSEXT_LINK, sysextPath } from "../clusters/model/sysext";
import { sha512File } from "./digest";
import { ImageError } from "./errors";
import { defaultCacheDir, type FetchOptions, fetchImage } from "./fetch";
import { formatOf, readBytes } from "./format";
import { growLastPartition, readGpt, rootPartition, SECTOR } from "./gpt";
import { withCleanup } from "../clusters/model/interrupt";
import { type ImageInfo, readInfo, writeInfo } from "./metadata";
import type { Arch } from "./release";
import { type FsRange, fsck, fsInfo, inspect, type Method, type Plan, placeWithDebugfs, placeWithLoop, resizeFs } from "./rootfs";
import { resolveSysext, type Sysext } from "./sysext";
import { run } from "./tools";
import { mayReplace } from "../clusters/model/safe-files";

export interface BuildOptions {
  /** a disk image to start from; otherwise the release in `release` (fetched if not cached) */
  image?: string;
  release: FetchOptions;
  /** FILE or URL#sha512=… of the Kubernetes system extension */
  bake?: string;
  kubernetesVersion?: string;
  out?: string;
  format: "qcow2" | "raw";
  compress?: boolean;
  method: Method | "auto";
  log?: (line: string) => void;
}

export interface Built extends ImageInfo {
  path: string;
}

const MiB = 1048576;

const sysextArchOf = (a: Arch) => (a === "arm64" ? "arm64" : "x86-64");

/** ext4's magic number, 1080 bytes into the filesystem */
function ext4At(disk: string, offset: number): boolean {
  return readBytes(disk, 2, offset + 1080).readUInt16LE(0) === 0xef53;
}

function defaultOut(info: ImageInfo | undefined, image: string | undefined, sysext: Sysext | undefined, format: string): string {
  const k8s = sysext ? `-kubernetes-${sysext.version}` : "";
  const stem = info?.flatcar
    ? `flatcar-${info.flatcar.channel}-${info.flatcar.version}-${info.flatcar.arch}`
    : basename(image ?? "image").replace(/\.(img|qcow2|raw)$/, "");
  return resolve(`${stem}${k8s}.${format === "qcow2" ? "qcow2" : "raw"}`);
}

/** The source image and what is known of it: a given file, or a verified release (fetched if need be). */
async function sourceOf(opts: BuildOptions, cacheDir: string, log: (l: string) => void): Promise<{ source: string; info?: ImageInfo }> {
  if (opts.image) {
    const source = resolve(opts.image);
    if (!existsSync(source)) throw new ImageError(`--image ${opts.image}: no such file`);
    return { source, info: readInfo(source) };
  }
  const fetched = await fetchImage({ ...opts.release, cacheDir, log });
  return { source: fetched.path, info: fetched };
}

/** Grows the disk, its GPT and ROOT when ROOT lacks room for the extension; the bytes added, if any. */
async function makeRoom(
  raw: string,
  source: string,
  root: ReturnType<typeof rootPartition>,
  range: FsRange,
  sysext: Sysext,
  log: (l: string) => void,
) {
  await fsck(range, true);
  const fs = await fsInfo(range);
  // the extension, plus room for its metadata and for first boot's own writes
  const need = sysext.size + Math.max(16 * MiB, Math.ceil(sysext.size * 0.05));
  if (fs.freeBytes >= need) return undefined;
  const grownBy = Math.ceil((need - fs.freeBytes) / MiB) * MiB + 64 * MiB;
  log(
    `ROOT has ${(fs.freeBytes / MiB).toFixed(1)} MiB free, the extension needs ${(need / MiB).toFixed(1)} MiB: growing the disk by ${grownBy / MiB} MiB`,
  );
  const grown = rootPartition(growLastPartition(raw, root.number, grownBy), source);
  const oldSize = range.size;
  range.size = Number(grown.lastLba - grown.firstLba + 1n) * SECTOR;
  await resizeFs(range, oldSize);
  return grownBy;
}

/** Writes the extension and its link into ROOT, then reads both back. */
async function bake(
  range: FsRange,
  sysext: Sysext,
  opts: BuildOptions,
  cleanups: Set<() => void>,
  log: (l: string) => void,
): Promise<void> {
  const path = sysextPath(sysext.version, sysext.arch);
  const plan: Plan = {
    dirs: ["/opt", "/opt/extensions", "/opt/extensions/kubernetes", "/etc", "/etc/extensions"],
    files: [{ path, source: sysext.file, mode: 0o644 }],
    links: [{ path: SYSEXT_LINK, target: path }],
  };
  let method: Method =
    opts.method === "auto" ? (process.getuid?.() === 0 && existsSync("/dev/loop-control") ? "loop" : "debugfs") : opts.method;
  log(
    `Baking Kubernetes ${sysext.version} (${sysext.arch}) into ROOT at ${path} (${method === "loop" ? "loop mount" : "debugfs, no root needed"})`,
  );
  try {
    if (method === "loop") await placeWithLoop(range, plan, cleanups);
    else await placeWithDebugfs(range, plan);
  } catch (e) {
    // a container without free loop devices: the rootless way still works
    if (opts.method !== "auto" || method !== "loop" || !(e instanceof ImageError) || !/loop device/.test(e.message)) throw e;
    log(`${e.message}; writing with debugfs instead`);
    method = "debugfs";
    await placeWithDebugfs(range, plan);
  }

  // read it all back: what the machines will find is what we meant to put there
  await fsck(range, false);
  const file = await inspect(range, path);
  if (file?.sha512 !== sysext.sha512 || file.mode !== 0o644 || file.uid !== 0)
    throw new ImageError(
      `ROOT: ${path} does not read back as written (${file ? `SHA-512 ${file.sha512?.slice(0, 16)}…, mode ${file.mode?.toString(8)}` : "missing"})`,
    );
  const link = await inspect(range, SYSEXT_LINK);
  if (link?.target !== path) throw new ImageError(`ROOT: ${SYSEXT_LINK} does not point to ${path}`);
}

export async function buildImage(opts: BuildOptions): Promise<Built> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const cacheDir = opts.release.cacheDir ?? defaultCacheDir();
  const { source, info } = await sourceOf(opts, cacheDir, log);
  const arch: Arch = info?.flatcar?.arch ?? opts.release.arch;
  const sysext = opts.bake
    ? await resolveSysext(opts.bake, { kubernetesVersion: opts.kubernetesVersion, imageArch: sysextArchOf(arch), cacheDir, log })
    : undefined;
  const out = resolve(opts.out ?? defaultOut(info, opts.image, sysext, opts.format));
  if (out === source) throw new ImageError(`--out ${out} is the source image; write the build somewhere else`);
  if (!existsSync(dirname(out))) throw new ImageError(`--out ${out}: folder ${dirname(out)} does not exist`);
  // only an image slipway built (its record beside it still describes it) is ever replaced
  const built = (_: Buffer, path: string) => readInfo(path) !== undefined;
  mayReplace(out, "an image", built, 0);

  const work = mkdtempSync(join(dirname(out), ".slipway-build-"));
  const cleanups = new Set<() => void>();
  const undo = () => {
    for (const c of cleanups) c();
    cleanups.clear();
    rmSync(work, { recursive: true, force: true });
  };
  // even an interrupt or a crash must not leave a mounted loop device or a scratch disk behind
  return withCleanup(undo, async () => {
    const raw = join(work, "disk.raw");
    log(`Copying ${source} to a raw scratch disk`);
    await run("qemu-img", ["convert", "-f", formatOf(source), "-O", "raw", source, raw], "converting the image to raw");

    const root = rootPartition(readGpt(raw, source), source);
    const range: FsRange = {
      disk: raw,
      offset: Number(root.firstLba) * SECTOR,
      size: Number(root.lastLba - root.firstLba + 1n) * SECTOR,
    };
    if (!ext4At(raw, range.offset)) throw new ImageError(`${source}: the ROOT partition holds no ext4 filesystem`);
    const grownBy = sysext ? await makeRoom(raw, source, root, range, sysext, log) : undefined;
    if (sysext) await bake(range, sysext, opts, cleanups, log);

    const staged = join(work, `out.${opts.format}`);
    if (opts.format === "qcow2") {
      log(`Writing ${out} (qcow2${opts.compress ? ", compressed" : ""})`);
      await run(
        "qemu-img",
        ["convert", "-f", "raw", "-O", "qcow2", ...(opts.compress ? ["-c"] : []), raw, staged],
        "converting the image to qcow2",
      );
    } else renameSync(raw, staged);
    const sha512 = await sha512File(staged);
    mayReplace(out, "an image", built, 0); // again: the build took a while
    renameSync(staged, out);
    const written = writeInfo(out, {
      format: opts.format,
      sha512,
      ...(info?.flatcar ? { flatcar: info.flatcar } : {}),
      ...(sysext
        ? { kubernetes: { version: sysext.version, sysext: sysextPath(sysext.version, sysext.arch), sha512: sysext.sha512 } }
        : info?.kubernetes
          ? { kubernetes: info.kubernetes }
          : {}),
    });
    log(
      `${out}: ${sysext ? `Kubernetes ${sysext.version} baked in` : "no extension baked in"}${grownBy ? `, disk grown by ${grownBy / MiB} MiB` : ""}`,
    );
    return { ...written, path: out };
  });
}
