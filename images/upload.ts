// `slipway image upload`: a disk image into Glance, verified and idempotent.
//
//   1. the file is checked (exists, format from its bytes, virtual size) before any network call
//   2. Keystone v3 → token and the image endpoint (clouds.yaml cloud or OS_* environment)
//   3. an active image with the same name and size is looked for; only then is the file hashed,
//      and one with the same SHA-512 is reused (its properties brought up to date) — nothing sent
//   4. otherwise the image is created and the file streamed to it while its SHA-512 is computed;
//      Glance's os_hash_value must equal it
//   5. a failure or an interrupt after step 4 began deletes the image: no half image is left
// Properties: os_distro=flatcar, os_type=linux, architecture, os_version (Flatcar's release),
// flatcar_channel, slipway_kubernetes (what is baked in) from the image's .slipway.json, then
// --property k=v, which wins. min_disk is the image's virtual size, so Nova refuses flavors whose
// disk cannot hold it instead of booting a broken machine.
import { createReadStream, existsSync, statSync } from "node:fs";
import type { ClientRequest } from "node:http";
import { loadCredentials } from "./clouds";
import { hasher, sha512File } from "./digest";
import { fsReason, ImageError, NetworkError, networkReason } from "./errors";
import { formatOf, readBytes } from "./format";
import { Glance, type GlanceImage } from "./glance";
import { whileInterruptible } from "../clusters/model/interrupt";
import { authenticate } from "./keystone";
import { type ImageInfo, readInfo } from "./metadata";
import { progress } from "./progress";

export interface UploadOptions {
  file: string;
  name: string;
  cloud?: string;
  properties: Record<string, string>;
  visibility: "private" | "shared" | "community" | "public";
  log?: (line: string) => void;
}

export interface Uploaded {
  id: string;
  /** an identical image was there already: nothing was sent */
  reused: boolean;
}

/** Fields Glance owns or that have their own flags: not settable with --property. */
export const RESERVED = new Set([
  "id",
  "name",
  "status",
  "visibility",
  "protected",
  "os_hidden",
  "checksum",
  "os_hash_algo",
  "os_hash_value",
  "size",
  "virtual_size",
  "owner",
  "disk_format",
  "container_format",
  "created_at",
  "updated_at",
  "tags",
  "direct_url",
  "locations",
  "self",
  "file",
  "schema",
  "stores",
]);

const GiB = 1024 ** 3;

/** The disk size a machine needs for the image: qcow2's header says it; raw is its own size. */
function virtualSize(file: string, format: string, size: number): number {
  // qcow2 header: the virtual size is a big-endian uint64 at byte 24
  return format === "qcow2" ? Number(readBytes(file, 8, 24).readBigUInt64BE(0)) : size;
}

function propertiesFor(info: ImageInfo | undefined): Record<string, string> {
  const p: Record<string, string> = { os_distro: "flatcar", os_type: "linux" };
  if (info?.flatcar) {
    p.os_version = info.flatcar.version;
    p.flatcar_channel = info.flatcar.channel;
    p.architecture = info.flatcar.arch === "arm64" ? "aarch64" : "x86_64";
  }
  if (info?.kubernetes) p.slipway_kubernetes = info.kubernetes.version;
  return p;
}

/** Step 1: what the file is, before any network call. */
interface LocalImage {
  path: string;
  size: number;
  format: ReturnType<typeof formatOf>;
  info: ImageInfo | undefined;
  properties: Record<string, string>;
  minDisk: number;
}

function inspectFile(opts: UploadOptions): LocalImage {
  if (!existsSync(opts.file)) throw new ImageError(`${opts.file}: no such file`);
  const st = statSync(opts.file);
  if (!st.isFile()) throw new ImageError(`${opts.file}: not a file`);
  if (st.size === 0) throw new ImageError(`${opts.file}: empty file`);
  const info = readInfo(opts.file);
  const format = info?.format ?? formatOf(opts.file);
  return {
    path: opts.file,
    size: st.size,
    format,
    info,
    properties: { ...propertiesFor(info), ...opts.properties },
    minDisk: Math.ceil(virtualSize(opts.file, format, st.size) / GiB),
  };
}

/** Step 2: Keystone, then Glance from the token's catalog. */
async function connect(cloud: string | undefined, log: (l: string) => void): Promise<Glance> {
  const creds = loadCredentials(cloud);
  const session = await authenticate(creds);
  log(`Glance at ${session.imageEndpoint} (${creds.source})`);
  return new Glance(session);
}

/**
 * Step 3: an active image with the same name, size and SHA-512 is reused, its properties brought
 * up to date. The file is hashed only when a same-named image of the same size exists.
 */
async function reuseIdentical(
  glance: Glance,
  opts: UploadOptions,
  file: LocalImage,
  log: (l: string) => void,
): Promise<Uploaded | undefined> {
  const candidates = (
    await glance.list({ name: opts.name, size_min: String(file.size), size_max: String(file.size), status: "active" })
  ).filter((i) => i.name === opts.name && i.size === file.size);
  if (candidates.length === 0) return undefined;
  let known = file.info?.sha512;
  if (!known) {
    const bar = progress(`Checking ${file.path} against ${candidates.length} image(s) named ${opts.name}`, file.size);
    known = await sha512File(file.path, (n) => bar.tick(n));
    bar.done();
  }
  const same = candidates.find((i) => i.os_hash_algo === "sha512" && i.os_hash_value === known);
  if (!same) return undefined;
  const stale = Object.fromEntries(Object.entries(file.properties).filter(([k, v]) => same[k] !== v));
  await glance.setProperties(same.id, stale, same);
  log(
    `${opts.name}: already in Glance as ${same.id} (same name and SHA-512); nothing uploaded${Object.keys(stale).length ? `, properties updated: ${Object.keys(stale).join(", ")}` : ""}`,
  );
  if (same.visibility !== opts.visibility)
    log(
      `${opts.name}: note: ${same.id} is ${same.visibility}, not ${opts.visibility}; change it with: openstack image set --${opts.visibility} ${same.id}`,
    );
  return { id: same.id, reused: true };
}

/** Step 4's check: Glance holds the image, active, with the SHA-512 the file had on the way. */
async function verifyStored(glance: Glance, id: string, sha512: string): Promise<void> {
  let stored = await glance.get(id);
  // Glance finishes storing before it answers; a slow store may still say "saving" briefly
  for (let i = 0; i < 30 && stored.status === "saving"; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    stored = await glance.get(id);
  }
  if (stored.status !== "active") throw new ImageError(`Glance left image ${id} in status "${stored.status}" after the upload`);
  if (stored.os_hash_algo !== "sha512" || stored.os_hash_value !== sha512)
    throw new ImageError(
      `Glance stored ${stored.os_hash_algo ?? "no hash"} ${String(stored.os_hash_value ?? "").slice(0, 16)}…, but the file's SHA-512 is ${sha512.slice(0, 16)}…: the upload was corrupted`,
    );
}

/**
 * Steps 4 and 5: create the image and stream the file to it while hashing; from the moment it
 * exists, every way out but success — an error, a cut connection, an interrupt — deletes it.
 */
async function sendNew(
  glance: Glance,
  opts: UploadOptions,
  file: LocalImage,
  log: (l: string) => void,
  started: number,
): Promise<Uploaded> {
  let image: GlanceImage | undefined;
  let req: ClientRequest | undefined;
  let interrupted = false;
  /** deletes the incomplete image; says whether it is gone */
  const deleteImage = async (): Promise<boolean> => {
    req?.destroy();
    if (!image) return true;
    try {
      await glance.delete(image.id);
      log(`deleted the incomplete image ${image.id}`);
      return true;
    } catch (e) {
      log(
        `could not delete the incomplete image ${image.id} (${(e as Error).message}); delete it with: openstack image delete ${image.id}`,
      );
      return false;
    }
  };
  const onInterrupt = async () => {
    interrupted = true;
    await deleteImage();
  };

  return whileInterruptible(onInterrupt, async () => {
    const bar = progress(`Uploading ${file.path} (${file.format})`, file.size);
    const h = hasher((n) => bar.tick(n));
    try {
      image = await glance.create({
        name: opts.name,
        disk_format: file.format,
        container_format: "bare",
        visibility: opts.visibility,
        min_disk: file.minDisk,
        tags: ["slipway"],
        ...file.properties,
      });
      const id = image.id;
      const stream = createReadStream(file.path, { highWaterMark: 1 << 20 });
      // a read error (a disk failing, the file removed) must end the upload, not stall it
      stream.on("error", (e) => h.transform.destroy(e));
      const sending = Date.now();
      await glance.upload(id, stream.pipe(h.transform), file.size, (r) => {
        req = r;
      });
      const transfer = (Date.now() - sending) / 1000;
      bar.done();
      if (h.bytes() !== file.size)
        throw new ImageError(`${file.path} changed while it was uploaded (${h.bytes()} of ${file.size} bytes sent)`);
      await verifyStored(glance, id, h.digest());
      const seconds = (Date.now() - started) / 1000;
      const mib = file.size / 1048576;
      log(
        `${opts.name}: uploaded as ${id}, ${mib.toFixed(1)} MiB in ${transfer.toFixed(1)} s (${(mib / Math.max(transfer, 0.001)).toFixed(1)} MiB/s), SHA-512 verified by Glance; ${seconds.toFixed(1)} s in all`,
      );
      return { id, reused: false };
    } catch (e) {
      bar.done();
      // interrupted: the signal handler is deleting the image and will exit; wait for it
      if (interrupted) return new Promise<never>(() => {});
      const created = image !== undefined;
      const gone = await deleteImage();
      const after = !created ? "" : gone ? "; the image was deleted" : `; the incomplete image ${image?.id} is still in Glance`;
      if (e instanceof NetworkError && created)
        throw new ImageError(
          `upload of ${file.path} broke off after ${h.bytes().toLocaleString("en")} of ${file.size.toLocaleString("en")} bytes: ${networkReason(e)}${after}`,
        );
      if (e instanceof ImageError) throw new ImageError(`${e.message}${after}`);
      const fsError = e as NodeJS.ErrnoException;
      if (fsError.syscall) throw new ImageError(`cannot read ${file.path}: ${fsReason(fsError)}${after}`);
      throw e;
    }
  });
}

/** Upload `opts.file` as image `opts.name` (steps 1–5 above). */
export async function uploadImage(opts: UploadOptions): Promise<Uploaded> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const started = Date.now();
  const file = inspectFile(opts);
  const glance = await connect(opts.cloud, log);
  return (await reuseIdentical(glance, opts, file, log)) ?? (await sendNew(glance, opts, file, log, started));
}
