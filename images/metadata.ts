// What slipway knows about an image file it made or verified, in `<file>.slipway.json` beside it:
// where it came from, what is baked in, its size and SHA-512. The uploader turns it into Glance
// properties and skips hashing the file again. It is believed only while the file's size and
// modification time are what they were when it was written.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import type { DiskFormat } from "./format";
import type { Arch, Channel } from "./release";

export interface ImageInfo {
  format: DiskFormat;
  size: number;
  sha512: string;
  mtimeMs: number;
  flatcar?: {
    channel: Channel;
    version: string;
    arch: Arch;
    /** where it was downloaded from, the signed digest of that download and the key that signed it */
    source: string;
    publishedSha512: string;
    signingKey: string;
  };
  kubernetes?: {
    version: string;
    /** the system extension's path inside the image, and its SHA-512 */
    sysext: string;
    sha512: string;
  };
}

export const sidecar = (file: string) => `${file}.slipway.json`;

/** The file's recorded info, if it still describes the file. */
export function readInfo(file: string): ImageInfo | undefined {
  const f = sidecar(file);
  if (!existsSync(f) || !existsSync(file)) return undefined;
  let info: ImageInfo;
  try {
    info = JSON.parse(readFileSync(f, "utf8")) as ImageInfo;
  } catch {
    return undefined;
  }
  const st = statSync(file);
  return st.size === info.size && Math.round(st.mtimeMs) === info.mtimeMs ? info : undefined;
}

/** Records info for `file` (its size and mtime are taken now), atomically. */
export function writeInfo(file: string, info: Omit<ImageInfo, "size" | "mtimeMs">): ImageInfo {
  const st = statSync(file);
  const full: ImageInfo = { ...info, size: st.size, mtimeMs: Math.round(st.mtimeMs) };
  const tmp = `${sidecar(file)}.${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(full, null, 2)}\n`);
  renameSync(tmp, sidecar(file));
  return full;
}
