// How every slipway command writes: never half a file, never through a link it did not make, and
// never over a file or into a folder it did not create itself.
//
//   writeFileSafely   the bytes go to a new file (O_EXCL, its final mode from the start) in a
//                     private 0700 folder beside the target, then are renamed over it
//   mayReplace        a file may be replaced only if it is missing or recognisably slipway's own
//   claimFolder       an output folder must be new, empty, or hold slipway's record of what it
//                     wrote there (.slipway-output.json); only those files are ever removed again
//
// Every failure is an OutputError naming the user's path in words (not EEXIST, not a scratch path).
import { createHash } from "node:crypto";
import {
  closeSync,
  constants,
  fchmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { dirname, isAbsolute, join, normalize, resolve, sep } from "node:path";
import { OutputError, printable } from "./errors";

/** A file-system error (ENOSPC, EACCES, …) as an operator would phrase it. */
export function fsReason(e: NodeJS.ErrnoException): string {
  const known: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOENT: "no such file or directory",
    ENOTDIR: "a part of the path is not a folder",
    EISDIR: "is a folder",
    EDQUOT: "disk quota exceeded",
    EEXIST: "already exists",
    EBUSY: "is in use (a mount point?)",
    ENOTEMPTY: "is a folder that is not empty",
    ELOOP: "is a symbolic link",
    EXDEV: "is on another file system",
    ENAMETOOLONG: "the name is too long",
  };
  return (e.code && Object.hasOwn(known, e.code) ? known[e.code] : undefined) ?? e.message;
}

/** Run `fn`; a file-system error becomes one OutputError about `path` (the user's, not a scratch one). */
export function describingErrors<T>(path: string, doing: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OutputError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (err?.syscall) throw new OutputError(`cannot ${doing} ${printable(path)}: ${fsReason(err)}`);
    throw e;
  }
}

export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** Writes `data` to `path` atomically with `mode`; a link at `path` is replaced, never followed. */
export function writeFileSafely(path: string, data: string | Buffer, mode = 0o644): void {
  describingErrors(path, "write", () => {
    const scratch = mkdtempSync(join(dirname(path), ".slipway-"));
    try {
      const tmp = join(scratch, "file");
      const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
      try {
        fchmodSync(fd, mode); // the umask may have taken bits away
        const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
        for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}

/**
 * Refuses unless `path` is free or holds a regular file that `isOurs` recognises (read at most
 * `limit` bytes of it). `what` names what slipway writes there, for the message.
 */
export function mayReplace(path: string, what: string, isOurs: (head: Buffer, path: string) => boolean, limit = 16 << 20): void {
  const st = describingErrors(path, "look at", () => lstatOrUndefined(path));
  if (!st) return;
  const p = printable(path);
  if (st.isSymbolicLink())
    throw new OutputError(`${p} is a symbolic link; slipway does not write through it (remove it, or choose another name)`);
  if (st.isDirectory()) throw new OutputError(`${p} is a folder; give the name of a file`);
  if (!st.isFile()) throw new OutputError(`${p} is not a regular file; not writing there`);
  const head = describingErrors(path, "read", () => {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const buf = Buffer.alloc(Math.min(st.size, limit));
      let n = 0;
      while (n < buf.length) {
        const r = readSync(fd, buf, n, buf.length - n, n);
        if (r === 0) break;
        n += r;
      }
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  });
  if (!isOurs(head, path))
    throw new OutputError(`${p} exists and is not ${what} that slipway wrote; not overwriting it (move it away, or choose another name)`);
}

// ---------------------------------------------------------------------------------------------
// Output folders

export const RECORD = ".slipway-output.json";
/** names of slipway's scratch files, scratch folders and locks */
export const TRANSIENT = ".slipway-";

export interface ClaimedFolder {
  /** the folder as given (for messages) */
  path: string;
  /** where files really go: the folder, or where a symbolic link to it points */
  real: string;
  /** files slipway wrote there last time, relative path → SHA-256 */
  written: Map<string, string>;
  /** the mode to create it with, when it does not exist yet */
  mode?: number;
}

/** Creates a claimed folder that does not exist yet. */
export function createFolder(folder: ClaimedFolder): void {
  describingErrors(folder.path, "create the folder", () => {
    if (!lstatOrUndefined(folder.real)) mkdirSync(folder.real, { recursive: true, mode: folder.mode ?? 0o755 });
  });
}

interface Record_ {
  slipway: string;
  kind: string;
  files: Record<string, string>;
}

const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

/** A relative path that stays inside its folder. */
function safeRelative(rel: string): boolean {
  if (typeof rel !== "string" || rel === "" || isAbsolute(rel) || rel.includes("\0")) return false;
  const n = normalize(rel);
  return n === rel && !n.startsWith(`..${sep}`) && n !== ".." && !n.split(sep).includes("..");
}

/**
 * Makes sure `dir` may hold slipway's `kind` output: missing (created), empty, or with slipway's
 * record of what it wrote there. `legacy` may recognise output of an older slipway that wrote no
 * record, returning the files it wrote. Anything else is refused with one line.
 */
export function claimFolder(
  dir: string,
  kind: string,
  legacy?: (real: string, entries: string[]) => Map<string, string> | undefined,
  mode = 0o755,
): ClaimedFolder {
  const p = printable(dir);
  return describingErrors(dir, "use the folder", () => {
    if (dir.trim() === "") throw new OutputError("the output folder must not be an empty name");
    const st = lstatOrUndefined(dir);
    // created when something is written into it (commitFolder, createFolder), not before
    if (!st) return { path: dir, real: resolve(dir), written: new Map(), mode };
    // a link to a folder is written through (it stays a link)
    const target = st.isSymbolicLink() ? statSync(dir) : st;
    if (!target.isDirectory()) throw new OutputError(`${p} exists and is not a folder`);
    const real = realpathSync(dir);
    const entries = readdirSync(real);
    if (entries.includes(RECORD)) {
      let rec: Record_ | undefined;
      try {
        rec = JSON.parse(readFileSync(join(real, RECORD), "utf8")) as Record_;
      } catch {
        rec = undefined;
      }
      if (rec?.slipway !== "output" || typeof rec.files !== "object" || rec.files === null)
        throw new OutputError(
          `${p}: ${RECORD} is damaged; slipway cannot tell which files are its own (remove the folder's contents yourself)`,
        );
      if (rec.kind !== kind)
        throw new OutputError(`${p} holds slipway's ${printable(String(rec.kind))} output, not ${kind}; choose another folder`);
      const written = new Map<string, string>();
      for (const [rel, hash] of Object.entries(rec.files)) if (safeRelative(rel) && typeof hash === "string") written.set(rel, hash);
      return { path: dir, real, written };
    }
    // slipway's own scratch files and locks (another run at work right now) do not count
    if (entries.every((e) => e.startsWith(TRANSIENT))) return { path: dir, real, written: new Map() };
    const old = legacy?.(real, entries);
    if (old) return { path: dir, real, written: old };
    const shown = entries
      .sort()
      .slice(0, 3)
      .map((e) => printable(e))
      .join(", ");
    throw new OutputError(
      `${p} is not empty and was not written by slipway (it holds ${shown}${entries.length > 3 ? ", …" : ""}); ` +
        "give a new or empty folder, or the folder of an earlier run",
    );
  });
}

/** The file's SHA-256, or undefined when it cannot be read. */
export function fileHash(path: string): string | undefined {
  try {
    return sha256(readFileSync(path));
  } catch {
    return undefined;
  }
}

/**
 * Puts `files` (relative path → bytes) into a claimed folder, removes the files slipway wrote there
 * before and no longer writes — only if they are unchanged since — and records what is there now.
 * Everything else in the folder (Terraform's state, .terraform, plans) is left alone.
 */
export function commitFolder(folder: ClaimedFolder, kind: string, files: Map<string, Buffer>, mode = 0o644): void {
  createFolder(folder);
  const record: Record<string, string> = {};
  for (const [rel, bytes] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!safeRelative(rel)) throw new Error(`not a relative path inside the folder: ${rel}`);
    const path = join(folder.real, rel);
    describingErrors(join(folder.path, rel), "create the folder for", () => mkdirSync(dirname(path), { recursive: true }));
    writeFileSafely(path, bytes, mode);
    record[rel] = sha256(bytes);
  }
  for (const [rel, hash] of folder.written) {
    if (files.has(rel)) continue;
    const path = join(folder.real, rel);
    const st = lstatOrUndefined(path);
    if (!st?.isFile()) continue;
    if (fileHash(path) !== hash) {
      record[rel] = hash; // changed by someone else: theirs now; keep it and keep remembering it
      continue;
    }
    describingErrors(join(folder.path, rel), "remove", () => unlinkSync(path));
    // prune folders that became empty, up to the output folder itself
    for (let d = dirname(path); d.startsWith(folder.real + sep) && d !== folder.real; d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        break; // not empty: Terraform's files, or the user's
      }
    }
  }
  recordFolder(folder, kind, record);
}

/** Writes the folder's record: what slipway wrote there (relative path → SHA-256). */
export function recordFolder(folder: ClaimedFolder, kind: string, files: Record<string, string> = {}): void {
  createFolder(folder);
  writeFileSafely(join(folder.real, RECORD), `${JSON.stringify({ slipway: "output", kind, files }, null, 2)}\n`);
}
