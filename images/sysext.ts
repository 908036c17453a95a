// The Kubernetes system extension to bake into an image (`--bake-kubernetes FILE|URL#sha512=HEX`):
// a local file, or a download that must match the SHA-512 given with it (kept in the cache, so a
// second build downloads nothing). Its Kubernetes version and architecture come from the bakery's
// file name (kubernetes-v1.36.1-x86-64.raw) or from --kubernetes-version, and it must look like a
// system extension image (squashfs, erofs, ext4, or a GPT disk image) — systemd-sysext would
// otherwise refuse it on every node at boot, far from here.
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { sha512File } from "./digest";
import { ImageError } from "./errors";
import { readBytes } from "./format";
import { download } from "./http";

export type SysextArch = "x86-64" | "arm64";

export interface Sysext {
  file: string;
  version: string;
  arch: SysextArch;
  sha512: string;
  size: number;
}

const BAKERY_NAME = /^kubernetes-v(\d+\.\d+\.\d+)-(x86-64|arm64)\.raw$/;

/** What kind of filesystem image `file` is, from its magic numbers; undefined if none. */
export function sysextKind(file: string): "squashfs" | "erofs" | "ext4" | "gpt" | undefined {
  const head = readBytes(file, 2048);
  const n = head.length;
  if (n >= 4 && head.toString("latin1", 0, 4) === "hsqs") return "squashfs";
  if (n >= 1028 && head.readUInt32LE(1024) === 0xe0f5e1e2) return "erofs";
  if (n >= 1082 && head.readUInt16LE(1080) === 0xef53) return "ext4";
  if (n >= 520 && head.toString("latin1", 512, 520) === "EFI PART") return "gpt";
  return undefined;
}

export function parseBakeSpec(spec: string): { url: string; sha512: string } | { file: string } {
  if (!/^https?:\/\//.test(spec)) return { file: spec };
  const m = /^(.*)#sha512=([0-9a-fA-F]{128})$/.exec(spec);
  if (!m) throw new ImageError(`--bake-kubernetes ${spec}: a URL needs the SHA-512 of the file, as URL#sha512=<128 hex digits>`);
  return { url: m[1] as string, sha512: (m[2] as string).toLowerCase() };
}

async function fetchSysext(url: string, sha512: string, cacheDir: string, log: (l: string) => void): Promise<string> {
  const name = basename(new URL(url).pathname) || "sysext.raw";
  const dir = join(cacheDir, "sysext", sha512.slice(0, 32));
  const final = join(dir, name);
  if (existsSync(final) && (await sha512File(final)) === sha512) {
    log(`${name}: in the cache (SHA-512 matches), nothing to download`);
    return final;
  }
  mkdirSync(dir, { recursive: true });
  const partial = join(dir, `.${name}.partial-${process.pid}`);
  try {
    const { sha512: got } = await download(url, partial, `Downloading ${name}`);
    if (got !== sha512)
      throw new ImageError(
        `${url} has SHA-512 ${got.slice(0, 16)}…, not the ${sha512.slice(0, 16)}… given with --bake-kubernetes; not baking it`,
      );
    renameSync(partial, final);
    return final;
  } finally {
    rmSync(partial, { force: true });
  }
}

export async function resolveSysext(
  spec: string,
  opts: { kubernetesVersion?: string; imageArch: SysextArch; cacheDir: string; log: (l: string) => void },
): Promise<Sysext> {
  const parsed = parseBakeSpec(spec);
  let file: string;
  let sha512: string;
  if ("file" in parsed) {
    file = parsed.file;
    if (!existsSync(file)) throw new ImageError(`--bake-kubernetes ${file}: no such file`);
    if (!statSync(file).isFile()) throw new ImageError(`--bake-kubernetes ${file}: not a file`);
    sha512 = await sha512File(file);
  } else {
    file = await fetchSysext(parsed.url, parsed.sha512, opts.cacheDir, opts.log);
    sha512 = parsed.sha512;
  }
  const shown = "file" in parsed ? file : parsed.url;
  if (!sysextKind(file))
    throw new ImageError(`--bake-kubernetes ${shown}: not a system extension image (no squashfs, erofs, ext4 or GPT signature)`);

  const named = BAKERY_NAME.exec(basename("file" in parsed ? file : new URL(parsed.url).pathname));
  const version = opts.kubernetesVersion ?? named?.[1];
  if (!version)
    throw new ImageError(
      `--bake-kubernetes ${shown}: cannot tell its Kubernetes version from the name (the bakery's are kubernetes-v1.36.1-x86-64.raw); add --kubernetes-version`,
    );
  if (named && opts.kubernetesVersion && named[1] !== opts.kubernetesVersion)
    throw new ImageError(`--bake-kubernetes ${shown} is Kubernetes ${named[1]}, but --kubernetes-version says ${opts.kubernetesVersion}`);
  const arch = (named?.[2] as SysextArch | undefined) ?? opts.imageArch;
  if (arch !== opts.imageArch) throw new ImageError(`--bake-kubernetes ${shown} is built for ${arch}, but the image is ${opts.imageArch}`);
  return { file, version, arch, sha512, size: statSync(file).size };
}
