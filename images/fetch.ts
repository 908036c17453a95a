// `slipway image fetch`: Flatcar's OpenStack image, verified, into a local cache.
//
// 1. DIGESTS and its detached signature (DIGESTS.asc) are fetched and the signature is checked
//    with Flatcar's image signing key (images/keys, or --signing-key).
// 2. The image is streamed to a scratch file in the cache while the SHA-512 of every byte is
//    computed; it must equal the signed digest (a truncated or tampered download cannot).
// 3. A compressed image (older releases: .img.bz2) is decompressed, still streaming.
// 4. Only then is it renamed into place, with its .slipway.json beside it. A failure at any point
//    removes the scratch files: nothing in the cache can be mistaken for a good image.
// A cached image whose .slipway.json still describes it is reused without downloading anything.
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { hasher } from "./digest";
import { ImageError } from "./errors";
import { formatOf } from "./format";
import { download, getText } from "./http";
import { withCleanup } from "../clusters/model/interrupt";
import { type ImageInfo, readInfo, sidecar, writeInfo } from "./metadata";
import { IMAGE_FILE, parseVersionTxt, type ReleaseRef, releaseDir, sha512FromDigests } from "./release";
import { FLATCAR_KEY, readPublicKey, verifyDetached } from "./verify";

export interface FetchOptions extends ReleaseRef {
  signingKey?: string;
  /** slipway's cache (default $SLIPWAY_CACHE, else ~/.cache/slipway) */
  cacheDir?: string;
  log?: (line: string) => void;
}

export interface CachedImage extends ImageInfo {
  path: string;
  flatcar: NonNullable<ImageInfo["flatcar"]>;
}

export function defaultCacheDir(): string {
  return process.env.SLIPWAY_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "slipway");
}

export async function fetchImage(opts: FetchOptions): Promise<CachedImage> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const label = `Flatcar ${opts.channel} ${opts.version} (${opts.arch})`;
  let dir = releaseDir(opts);

  // "current" names whatever the channel's newest release is: pin it to its number first
  let version = opts.version;
  if (version === "current") {
    const txt = await getText(`${dir}version.txt`);
    const v = txt ? parseVersionTxt(txt) : undefined;
    if (!v)
      throw new ImageError(
        `${label}: ${dir}version.txt ${txt ? "names no FLATCAR_VERSION" : "does not exist"} (unknown channel or architecture?)`,
      );
    version = v;
    dir = releaseDir({ ...opts, version });
  }

  const cache = join(opts.cacheDir ?? defaultCacheDir(), "images", opts.channel, version, opts.arch);
  const final = join(cache, IMAGE_FILE);
  const known = readInfo(final);
  if (known?.flatcar) {
    log(`${label.replace(opts.version, version)}: verified image in the cache, nothing to download (${final})`);
    return { ...known, flatcar: known.flatcar, path: final };
  }
  // whatever is there is not a verified image: it must not look like one
  rmSync(sidecar(final), { force: true });

  const keyFile = opts.signingKey ?? FLATCAR_KEY;
  const key = await readPublicKey(keyFile);
  // the plain image; older releases publish only a bzip2-compressed one
  let name: string | undefined;
  let digests: string | undefined;
  for (const candidate of [IMAGE_FILE, `${IMAGE_FILE}.bz2`]) {
    digests = await getText(`${dir}${candidate}.DIGESTS`);
    if (digests !== undefined) {
      name = candidate;
      break;
    }
  }
  if (!name || digests === undefined)
    throw new ImageError(`Flatcar ${opts.channel} ${version} (${opts.arch}) not found: ${dir}${IMAGE_FILE}.DIGESTS does not exist`);
  const signature = await getText(`${dir}${name}.DIGESTS.asc`);
  if (signature === undefined) throw new ImageError(`${dir}${name}.DIGESTS.asc does not exist: the digests cannot be trusted`);
  await verifyDetached(Buffer.from(digests, "utf8"), signature, key, `${name}.DIGESTS`);
  const published = sha512FromDigests(digests, name);
  if (!published) throw new ImageError(`${name}.DIGESTS (signed) lists no SHA-512 for ${name}`);

  mkdirSync(cache, { recursive: true });
  const partial = join(cache, `.${name}.partial-${process.pid}`);
  const unpacked = join(cache, `.${IMAGE_FILE}.unpacked-${process.pid}`);
  const undo = () => {
    rmSync(partial, { force: true });
    rmSync(unpacked, { force: true });
  };
  // Ctrl-C or a crash mid-download leaves no half file in the cache
  return withCleanup(undo, async () => {
    const url = `${dir}${name}`;
    const { sha512: got } = await download(url, partial, `Downloading ${name}`);
    if (got !== published)
      throw new ImageError(
        `${url} has SHA-512 ${got.slice(0, 16)}…, but the signed DIGESTS say ${published.slice(0, 16)}…: corrupted, truncated or tampered with; not keeping it`,
      );

    // decompress (still streaming), hashing the result for the uploader
    let imageSha512 = got;
    if (name.endsWith(".bz2")) {
      const bunzip = require("unbzip2-stream") as () => NodeJS.ReadWriteStream;
      const u = hasher();
      await pipeline(createReadStream(partial), bunzip(), u.transform, createWriteStream(unpacked));
      rmSync(partial, { force: true });
      renameSync(unpacked, partial);
      imageSha512 = u.digest();
    }
    const format = formatOf(partial);
    renameSync(partial, final);
    const info = writeInfo(final, {
      format,
      sha512: imageSha512,
      flatcar: {
        channel: opts.channel,
        version,
        arch: opts.arch,
        source: url,
        publishedSha512: published,
        signingKey: key.getFingerprint().toUpperCase(),
      },
    });
    log(`Flatcar ${opts.channel} ${version} (${opts.arch}): signature and SHA-512 verified; ${final}`);
    return { ...info, flatcar: info.flatcar as CachedImage["flatcar"], path: final };
  });
}

/** The most recently verified Flatcar image in the cache (for commands given no file). */
export function latestCached(cacheDir = defaultCacheDir()): string {
  const root = join(cacheDir, "images");
  const found = existsSync(root)
    ? readdirSync(root, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith(`${IMAGE_FILE}.slipway.json`))
        .map((f) => join(root, f.slice(0, -".slipway.json".length)))
        .filter((f) => readInfo(f)?.flatcar)
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    : [];
  if (!found[0]) throw new ImageError(`no verified Flatcar image in ${root}: run slipway image fetch first, or name the file`);
  return found[0];
}
