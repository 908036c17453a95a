// A disk image's format from its first bytes, as Glance's disk_format names it. Glance 25 takes
// whatever it is told; newer releases check, and Nova boots a qcow2 declared raw as garbage.
import { closeSync, openSync, readSync } from "node:fs";

export type DiskFormat = "qcow2" | "vmdk" | "vhdx" | "vdi" | "iso" | "raw";

export function formatOf(file: string): DiskFormat {
  const head = Buffer.alloc(34816);
  const fd = openSync(file, "r");
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const at = (offset: number, magic: string) =>
    n >= offset + magic.length && head.toString("latin1", offset, offset + magic.length) === magic;
  if (at(0, "QFI\xfb")) return "qcow2";
  if (at(0, "KDMV")) return "vmdk";
  if (at(0, "vhdxfile")) return "vhdx";
  if (n >= 68 && head.readUInt32LE(64) === 0xbeda107f) return "vdi";
  if (at(32769, "CD001")) return "iso";
  return "raw";
}
