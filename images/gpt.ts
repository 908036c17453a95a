// The GUID partition table of a raw disk image: read it to find Flatcar's ROOT partition, and grow
// the disk by moving the backup table to the new end and extending ROOT (the last partition) into
// the room — what Flatcar itself does on first boot, done here when a baked extension needs space.
// Pure TypeScript on a file descriptor: no sfdisk or parted needed on the operator's machine.
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { crc32 } from "node:zlib";
import { ImageError } from "./errors";

export const SECTOR = 512;
const SIGNATURE = "EFI PART";
/** Flatcar's ROOT partition type ("CoreOS resize"), for images whose label was changed */
export const FLATCAR_ROOT_TYPE = "3884dd41-8582-4404-b9a8-e9b84f2df50e";

export interface Partition {
  /** 1-based, as the kernel numbers them */
  number: number;
  name: string;
  type: string;
  firstLba: bigint;
  /** inclusive */
  lastLba: bigint;
}

export interface Gpt {
  sectors: bigint;
  lastUsableLba: bigint;
  entriesLba: bigint;
  entryCount: number;
  entrySize: number;
  partitions: Partition[];
}

function guid(b: Buffer): string {
  const h = b.toString("hex");
  const le = (s: string) => s.match(/../g)?.reverse().join("") ?? "";
  return `${le(h.slice(0, 8))}-${le(h.slice(8, 12))}-${le(h.slice(12, 16))}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function readAt(fd: number, lba: bigint, bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  readSync(fd, b, 0, bytes, Number(lba) * SECTOR);
  return b;
}

function readHeader(fd: number, file: string, shown = file): { header: Buffer; entries: Buffer; gpt: Gpt } {
  const header = readAt(fd, 1n, SECTOR);
  if (header.toString("latin1", 0, 8) !== SIGNATURE) throw new ImageError(`${shown} has no GUID partition table: not a Flatcar disk image`);
  const size = header.readUInt32LE(12);
  const check = Buffer.from(header.subarray(0, size));
  check.writeUInt32LE(0, 16);
  if (crc32(check) !== header.readUInt32LE(16)) throw new ImageError(`${shown}: the partition table header is damaged (CRC mismatch)`);
  const entriesLba = header.readBigUInt64LE(72);
  const entryCount = header.readUInt32LE(80);
  const entrySize = header.readUInt32LE(84);
  const entries = readAt(fd, entriesLba, entryCount * entrySize);
  if (crc32(entries) !== header.readUInt32LE(88)) throw new ImageError(`${shown}: the partition entries are damaged (CRC mismatch)`);
  const partitions: Partition[] = [];
  for (let i = 0; i < entryCount; i++) {
    const e = entries.subarray(i * entrySize, (i + 1) * entrySize);
    if (e.subarray(0, 16).every((x) => x === 0)) continue;
    partitions.push({
      number: i + 1,
      type: guid(e.subarray(0, 16)),
      firstLba: e.readBigUInt64LE(32),
      lastLba: e.readBigUInt64LE(40),
      name: e.subarray(56, 128).toString("utf16le").replace(/\0.*$/s, ""),
    });
  }
  const sectors = BigInt(fstatSync(fd).size) / BigInt(SECTOR);
  return { header, entries, gpt: { sectors, lastUsableLba: header.readBigUInt64LE(48), entriesLba, entryCount, entrySize, partitions } };
}

/** `shown` names the file in messages (the user's image, not a scratch copy of it) */
export function readGpt(file: string, shown = file): Gpt {
  const fd = openSync(file, "r");
  try {
    return readHeader(fd, file, shown).gpt;
  } finally {
    closeSync(fd);
  }
}

/** Flatcar's ROOT partition: by its label, else by its type. */
export function rootPartition(gpt: Gpt, file: string): Partition {
  const root = gpt.partitions.find((p) => p.name === "ROOT") ?? gpt.partitions.find((p) => p.type === FLATCAR_ROOT_TYPE);
  if (!root)
    throw new ImageError(
      `${file} has no ROOT partition (partitions: ${gpt.partitions.map((p) => p.name || p.number).join(", ")}): not a Flatcar disk image`,
    );
  return root;
}

/**
 * Grows the raw disk `file` by `bytes` (rounded up to MiB) and extends partition `number` — which
 * must be the last one on the disk — to the new last usable sector. Returns the new table.
 */
export function growLastPartition(file: string, number: number, bytes: number): Gpt {
  const fd = openSync(file, "r+");
  try {
    const { header, entries, gpt } = readHeader(fd, file);
    const part = gpt.partitions.find((p) => p.number === number);
    if (!part) throw new ImageError(`${file}: no partition ${number}`);
    const last = gpt.partitions.reduce((a, b) => (b.lastLba > a.lastLba ? b : a));
    if (last.number !== number)
      throw new ImageError(`${file}: ${part.name} is not the last partition (${last.name} follows it), so it cannot grow`);

    const oldSectors = gpt.sectors;
    const sectors = oldSectors + BigInt(Math.ceil(bytes / 1048576) * 2048);
    const entrySectors = BigInt(Math.ceil((gpt.entryCount * gpt.entrySize) / SECTOR));
    const backupHeaderLba = sectors - 1n;
    const backupEntriesLba = backupHeaderLba - entrySectors;
    const lastUsable = backupEntriesLba - 1n;

    ftruncateSync(fd, Number(sectors) * SECTOR);
    // the old backup header now lies inside ROOT's new room: leave no stale table there
    writeSync(fd, Buffer.alloc(SECTOR), 0, SECTOR, Number(oldSectors - 1n) * SECTOR);

    entries.writeBigUInt64LE(lastUsable, (number - 1) * gpt.entrySize + 40);
    const entriesCrc = crc32(entries);

    const primary = Buffer.from(header);
    primary.writeBigUInt64LE(backupHeaderLba, 32);
    primary.writeBigUInt64LE(lastUsable, 48);
    primary.writeUInt32LE(entriesCrc, 88);
    const backup = Buffer.from(primary);
    backup.writeBigUInt64LE(backupHeaderLba, 24);
    backup.writeBigUInt64LE(1n, 32);
    backup.writeBigUInt64LE(backupEntriesLba, 72);
    for (const h of [primary, backup]) {
      const size = h.readUInt32LE(12);
      h.writeUInt32LE(0, 16);
      h.writeUInt32LE(crc32(h.subarray(0, size)), 16);
    }
    writeSync(fd, entries, 0, entries.length, Number(gpt.entriesLba) * SECTOR);
    writeSync(fd, primary, 0, SECTOR, SECTOR);
    writeSync(fd, entries, 0, entries.length, Number(backupEntriesLba) * SECTOR);
    writeSync(fd, backup, 0, SECTOR, Number(backupHeaderLba) * SECTOR);

    // the protective MBR's single partition covers the whole disk (capped at 2 TiB)
    const mbr = readAt(fd, 0n, SECTOR);
    if (mbr.readUInt16LE(510) === 0xaa55 && mbr.readUInt8(446 + 4) === 0xee) {
      mbr.writeUInt32LE(Number(sectors - 1n > 0xffffffffn ? 0xffffffffn : sectors - 1n), 446 + 12);
      writeSync(fd, mbr, 0, SECTOR, 0);
    }
    return readHeader(fd, file).gpt;
  } finally {
    closeSync(fd);
  }
}
