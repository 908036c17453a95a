// A disk image's format from its first bytes, as Glance's disk_format names it. Glance 25 takes
// whatever it is told; newer releases check, and Nova boots a qcow2 declared raw as garbage.
import { closeSync, openSync, readSync } from "node:fs";

export type DiskFormat = "qcow2" | "vmdk" | "vhdx" | "vdi" | "iso" | "raw";

/** Up to `length` bytes of `file` from `position` (fewer at its end). */
export function readBytes(file: string, length: number, position = 0): Buffer {
  const b = Buffer.alloc(length);
  const fd = openSync(file, "r");
  try {
    return b.subarray(0, readSync(fd, b, 0, length, position));
  } finally {
    closeSync(fd);
  }
}

export function formatOf(file: string): DiskFormat {
  const head = readBytes(file, 34816);
  const n = head.length;
  const at = (offset: number, magic: string) =>
    n >= offset + magic.length && head.toString("latin1", offset, offset + magic.length) === magic;
  if (at(0, "QFI\xfb")) return "qcow2";
  if (at(0, "KDMV")) return "vmdk";
  if (at(0, "vhdxfile")) return "vhdx";
  if (n >= 68 && head.readUInt32LE(64) === 0xbeda107f) return "vdi";
  if (at(32769, "CD001")) return "iso";
  return "raw";
}
