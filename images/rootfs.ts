// Writing into Flatcar's ROOT filesystem (ext4) inside a raw disk image, two ways:
//   loop    — as root: a loop device over the partition's byte range, mounted; the kernel's ext4
//             writes the files. What an operator's build host with root does.
//   debugfs — without root: e2fsprogs opens the partition in place (`disk.raw?offset=N`) and
//             writes the files itself. No kernel, no appliance, no privileges; works in CI
//             containers where loop devices are missing. (libguestfs would need a kernel and a
//             supermin appliance the build host may not have; debugfs needs only e2fsprogs.)
// Both check the filesystem with e2fsck before and after, and the caller reads every written file
// back. Paths are absolute inside ROOT.
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { sha512File } from "./digest";
import { ImageError } from "./errors";
import { run } from "./tools";

export interface FsRange {
  disk: string;
  offset: number;
  size: number;
}

export interface Plan {
  dirs: string[];
  files: { path: string; source: string; mode: number }[];
  links: { path: string; target: string }[];
}

export type Method = "loop" | "debugfs";

/** e2fsprogs' way to open a filesystem that starts `offset` bytes into a file */
const spec = (r: FsRange) => `${r.disk}?offset=${r.offset}`;

export interface FsInfo {
  /** free for anyone but root's reserve */
  freeBytes: number;
}

export async function fsInfo(r: FsRange): Promise<FsInfo> {
  const { stdout } = await run("dumpe2fs", ["-h", spec(r)], "reading the ROOT filesystem");
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(stdout);
    if (!m) throw new ImageError(`ROOT filesystem: dumpe2fs reports no "${name}"`);
    return Number(m[1]);
  };
  const blockSize = field("Block size");
  return { freeBytes: (field("Free blocks") - field("Reserved block count")) * blockSize };
}

/** e2fsck; `repair` fixes what it may (before a resize), otherwise the filesystem must be clean. */
export async function fsck(r: FsRange, repair: boolean): Promise<void> {
  // exit 1 = errors corrected: fine before a resize; after our writes only 0 (clean) will do
  await run(
    "e2fsck",
    [repair ? "-fy" : "-fn", spec(r)],
    repair ? "checking the ROOT filesystem" : "checking the ROOT filesystem after writing",
    {
      ok: repair ? [0, 1] : [0],
    },
  );
}

/**
 * Grows the filesystem to fill its (already grown) partition. resize2fs cannot do it in place
 * inside a disk file: given `disk?offset=N` it truncates the file to the filesystem's size,
 * ignoring the offset, and would cut off the end of ROOT and the backup GPT. So the partition is
 * copied out, resized on its own and copied back, whole (a sparse copy back could leave stale
 * blocks where resize2fs wrote zeros).
 */
export async function resizeFs(r: FsRange, oldSize: number): Promise<void> {
  const part = join(dirname(r.disk), "root.partition");
  try {
    await run(
      "dd",
      [
        `if=${r.disk}`,
        `of=${part}`,
        "bs=4M",
        "iflag=skip_bytes,count_bytes",
        `skip=${r.offset}`,
        `count=${oldSize}`,
        "conv=sparse",
        "status=none",
      ],
      "copying ROOT out",
    );
    truncateSync(part, r.size);
    await run("e2fsck", ["-fy", part], "checking the ROOT filesystem", { ok: [0, 1] });
    await run("resize2fs", [part], "growing the ROOT filesystem");
    await run(
      "dd",
      [`if=${part}`, `of=${r.disk}`, "bs=4M", "oflag=seek_bytes", `seek=${r.offset}`, "conv=notrunc", "status=none"],
      "copying ROOT back",
    );
  } finally {
    rmSync(part, { force: true });
  }
}

/** debugfs ignores failing requests (exit 0); collect the lines that are errors */
function debugfsErrors(stderr: string): string[] {
  return stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !/^debugfs \d/.test(l) && !/File exists|already exists/.test(l));
}

export async function placeWithDebugfs(r: FsRange, plan: Plan): Promise<void> {
  const q = (s: string) => `"${s.replace(/(["\\])/g, "\\$1")}"`;
  const cmds: string[] = [];
  for (const d of plan.dirs) cmds.push(`mkdir ${q(d)}`, `sif ${q(d)} mode 040755`, `sif ${q(d)} uid 0`, `sif ${q(d)} gid 0`);
  for (const f of plan.files) {
    // replacing a previously baked file: remove it first (write refuses to overwrite)
    cmds.push(
      `rm ${q(f.path)}`,
      `write ${q(f.source)} ${q(f.path)}`,
      `sif ${q(f.path)} mode 0${(0o100000 | f.mode).toString(8)}`,
      `sif ${q(f.path)} uid 0`,
      `sif ${q(f.path)} gid 0`,
    );
  }
  for (const l of plan.links) cmds.push(`rm ${q(l.path)}`, `symlink ${q(l.path)} ${q(l.target)}`);
  const tmp = mkdtempSync(join(dirname(r.disk), ".debugfs-"));
  try {
    const file = join(tmp, "requests");
    writeFileSync(file, `${cmds.join("\n")}\n`);
    const { stderr } = await run("debugfs", ["-w", "-f", file, spec(r)], "writing into the ROOT filesystem");
    // "rm" of a path that is not there yet is expected; anything else is a real failure
    const errors = debugfsErrors(stderr).filter((l) => !/^rm: File not found by ext2_lookup/.test(l) && !/^rm: .*not found/i.test(l));
    if (errors.length) throw new ImageError(`writing into the ROOT filesystem: debugfs: ${errors.slice(0, 3).join(" / ")}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Loop-mounts ROOT, runs `use` with the mount point, and always unmounts and detaches. */
export async function withLoopMount<T>(r: FsRange, use: (mnt: string) => Promise<T>, cleanups: Set<() => void>): Promise<T> {
  if (!existsSync("/dev/loop-control"))
    throw new ImageError("--method loop: this machine has no loop devices (/dev/loop-control); use --method debugfs");
  const { stdout } = await run(
    "losetup",
    ["--find", "--show", "--offset", String(r.offset), "--sizelimit", String(r.size), r.disk],
    "attaching the disk to a loop device",
  );
  const dev = stdout.trim();
  const mnt = mkdtempSync(join(dirname(r.disk), ".mnt-"));
  let mounted = false;
  const undo = () => {
    if (mounted) spawnSync("umount", [mnt]);
    spawnSync("losetup", ["-d", dev]);
    rmSync(mnt, { recursive: true, force: true });
  };
  cleanups.add(undo);
  try {
    await run("mount", ["-t", "ext4", dev, mnt], "mounting the ROOT filesystem");
    mounted = true;
    return await use(mnt);
  } finally {
    if (mounted) await run("umount", [mnt], "unmounting the ROOT filesystem");
    mounted = false;
    await run("losetup", ["-d", dev], "detaching the loop device");
    rmSync(mnt, { recursive: true, force: true });
    cleanups.delete(undo);
  }
}

export async function placeWithLoop(r: FsRange, plan: Plan, cleanups: Set<() => void>): Promise<void> {
  await withLoopMount(
    r,
    async (mnt) => {
      for (const d of plan.dirs) {
        mkdirSync(join(mnt, d), { recursive: true, mode: 0o755 });
        chownSync(join(mnt, d), 0, 0);
      }
      for (const f of plan.files) {
        copyFileSync(f.source, join(mnt, f.path));
        chmodSync(join(mnt, f.path), f.mode);
        chownSync(join(mnt, f.path), 0, 0);
      }
      for (const l of plan.links) {
        rmSync(join(mnt, l.path), { force: true });
        symlinkSync(l.target, join(mnt, l.path));
      }
    },
    cleanups,
  );
}

export interface Inspected {
  /** file contents' SHA-512, mode and owner; or a symlink's target */
  sha512?: string;
  mode?: number;
  uid?: number;
  target?: string;
}

/** Reads `path` back out of ROOT with debugfs (root or not): what was written is what is there. */
export async function inspect(r: FsRange, path: string): Promise<Inspected | undefined> {
  const { stdout, stderr } = await run("debugfs", ["-R", `stat "${path}"`, spec(r)], "reading back from the ROOT filesystem");
  if (/File not found/.test(stderr)) return undefined;
  const mode = /Mode:\s+(\d+)/.exec(stdout);
  const uid = /User:\s+(\d+)/.exec(stdout);
  const link = /Fast link dest: "(.*)"/.exec(stdout);
  if (/Type: symlink/.test(stdout)) {
    if (link) return { target: link[1] };
    // a long target lives in a block: cat it
    const t = await run("debugfs", ["-R", `cat "${path}"`, spec(r)], "reading back a link");
    return { target: t.stdout };
  }
  const tmp = mkdtempSync(join(dirname(r.disk), ".inspect-"));
  try {
    const out = join(tmp, "f");
    await run("debugfs", ["-R", `dump "${path}" "${out}"`, spec(r)], "reading back from the ROOT filesystem");
    return {
      sha512: await sha512File(out),
      mode: mode ? Number.parseInt(mode[1] as string, 8) : undefined,
      uid: uid ? Number(uid[1]) : undefined,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
