// Turning a builder into the bytes a machine boots with.
//
// renderLocal    every value known (the local PKI of `slipway render`): the plain config as JSON.
// renderPieces   some file contents are Deferred (Terraform expressions): the config's JSON text in
//                pieces, with each deferred file's data URL left open for the caller to express.
// wrapConfig     user_data as a small stub whose `ignition.config.replace` carries the whole
//                config gzip-compressed (spec 3.1+): unit files and scripts shrink about four-fold,
//                which keeps every role far below AWS's 16 KiB and Nova's 64 KiB limits.
//
// Static parts come out of exactly the same code on both paths, so a rendered machine and a
// synthesized one boot the same configuration.
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { Deferred, type IgnitionBuilder, segments, type Text } from "./builder";
import { IGNITION_VERSION } from "./spec";

/** RFC 2397 data URL with percent-encoding; only unreserved characters stay as they are. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function gzipBase64(data: string | Buffer): string {
  // level 9 and Node's fixed header (mtime 0) keep this deterministic
  return gzipSync(typeof data === "string" ? Buffer.from(data, "utf8") : data, { level: 9 }).toString("base64");
}

/** Encode known contents as the shorter of a plain and a gzip data URL. */
export function encodeStatic(text: string): { source: string; compression?: "gzip" } {
  const plain = `data:,${percentEncode(text)}`;
  const gz = `data:;base64,${gzipBase64(text)}`;
  return gz.length < plain.length ? { source: gz, compression: "gzip" } : { source: plain };
}

function staticText(t: Text, path: string): string {
  return segments(t)
    .map((s) => {
      if (s instanceof Deferred) throw new Error(`${path}: ${s.what} is only known at apply time; rendering locally needs every value`);
      return s;
    })
    .join("");
}

export function renderLocal(b: IgnitionBuilder): string {
  return JSON.stringify(b.build((contents, path) => encodeStatic(staticText(contents, path))));
}

/** A deferred file's contents: its segments, and upper bounds of their length raw and gzipped. */
export interface DeferredFile {
  segs: (string | Deferred)[];
  rawMaxBytes: number;
  gzipMaxBytes: number;
}

/** The config's JSON text: strings, and the deferred files whose data URLs go between them. */
export type Pieces = (string | DeferredFile)[];

// Placeholders cannot collide with real contents: those are always data-URL encoded.
const placeholder = (n: number) => `@@SLIPWAY_DEFERRED_${n}@@`;
const PLACEHOLDER_RE = /@@SLIPWAY_DEFERRED_(\d+)@@/;

export const DEFERRED_URL_PREFIX = "data:;base64,";

export function renderPieces(b: IgnitionBuilder): Pieces {
  const pending: DeferredFile[] = [];
  const config = b.build((contents, path) => {
    const segs = segments(contents);
    if (!segs.some((s) => s instanceof Deferred)) return encodeStatic(staticText(contents, path));
    const rawMaxBytes = segs.reduce((n, s) => n + (s instanceof Deferred ? s.maxBytes : Buffer.byteLength(s, "utf8")), 0);
    pending.push({ segs, rawMaxBytes, gzipMaxBytes: gzipBound(segs) });
    // the URL is `data:;base64,` + base64(gzip(contents)), filled in by the caller
    return { source: placeholder(pending.length - 1), compression: "gzip" };
  });
  const pieces: Pieces = [];
  let rest = JSON.stringify(config);
  for (let m = PLACEHOLDER_RE.exec(rest); m; m = PLACEHOLDER_RE.exec(rest)) {
    pieces.push(rest.slice(0, m.index), pending[Number(m[1])] as DeferredFile);
    rest = rest.slice(m.index + m[0].length);
  }
  pieces.push(rest);
  return pieces;
}

/** gzip framing (header, trailer) and deflate block headers for n bytes stored uncompressed. */
const storedBound = (n: number) => n + 18 + 5 * Math.max(1, Math.ceil(n / 65535));

/**
 * Upper bound of gzip(segments) in bytes. Static text and "any" values count as incompressible.
 * Base64 text has at most 64 distinct symbols plus newlines and a few header letters, so Huffman
 * coding needs at most ~6.2 bits a character; 0.78 per byte plus 128 bytes for the code tables
 * and framing holds for every PEM (test/userdata.test.ts checks real ones).
 */
export function gzipBound(segs: (string | Deferred)[]): number {
  let plain = 0;
  let b64 = 0;
  for (const s of segs) {
    if (s instanceof Deferred && s.alphabet === "base64") b64 += s.maxBytes;
    else plain += s instanceof Deferred ? s.maxBytes : Buffer.byteLength(s, "utf8");
  }
  if (b64 === 0) return storedBound(plain);
  return Math.min(storedBound(plain + b64), plain + Math.ceil(0.78 * b64) + 128 + 18);
}

/** The user_data stub around a gzip-compressed config, split where the base64 goes. */
export function wrapperParts(): [prefix: string, suffix: string] {
  const marker = "@@SLIPWAY_CONFIG@@";
  const stub = JSON.stringify({
    ignition: { version: IGNITION_VERSION, config: { replace: { source: `${DEFERRED_URL_PREFIX}${marker}`, compression: "gzip" } } },
  });
  const [prefix, suffix] = stub.split(marker) as [string, string];
  return [prefix, suffix];
}

/** user_data for a fully known config. */
export function wrapConfig(configJson: string): string {
  const [prefix, suffix] = wrapperParts();
  return `${prefix}${gzipBase64(configJson)}${suffix}`;
}

/** The config inside a wrapped user_data (the inverse of wrapConfig). */
export function unwrapConfig(userData: string): string {
  const stub = JSON.parse(userData) as { ignition?: { config?: { replace?: { source?: string; compression?: string } } } };
  const source = stub.ignition?.config?.replace?.source ?? "";
  if (!source.startsWith(DEFERRED_URL_PREFIX) || stub.ignition?.config?.replace?.compression !== "gzip")
    throw new Error("not a wrapped Slipway config");
  return gunzipSync(Buffer.from(source.slice(DEFERRED_URL_PREFIX.length), "base64")).toString("utf8");
}

/**
 * Upper bound of the wrapped user_data size once Terraform fills every deferred value. Each
 * deferred file is replaced by incompressible filler of its largest possible encoded length
 * (pseudo-random base64, seeded: the bound is deterministic), and the result is really gzipped.
 */
export function wrappedBound(pieces: Pieces): number {
  // SHA-256 in counter mode: deterministic, and as incompressible as real gzip output
  let counter = 0;
  const filler = (n: number) => {
    let s = "";
    while (s.length < n) s += createHash("sha256").update(`slipway-filler-${counter++}`).digest("base64").replace(/=+$/, "");
    return s.slice(0, n);
  };
  const inner = pieces
    .map((p) => (typeof p === "string" ? p : `${DEFERRED_URL_PREFIX}${filler(4 * Math.ceil(p.gzipMaxBytes / 3))}`))
    .join("");
  const gz = gzipSync(Buffer.from(inner, "utf8"), { level: 9 }).length + 64; // margin for zlib's choices on real data
  const [prefix, suffix] = wrapperParts();
  return prefix.length + 4 * Math.ceil(gz / 3) + suffix.length;
}
