// Turning a builder into the bytes a machine boots with.
//
// renderLocal    every value known (the local PKI of `slipway render`): the plain config as JSON.
// renderPieces   some file contents are Deferred (Terraform expressions): the config's JSON text in
//                pieces, with each deferred file's data URL left open for the caller to express.
// wrapConfig     user_data as a small stub whose `ignition.config.replace` carries the whole
//                config gzip-compressed (spec 3.1+).
//
// File contents are always plain percent-encoded data URLs, and the whole config is compressed
// once, in the stub: the outer gzip then sees unit files, scripts and certificates as text and
// compresses them together (certificates share much structure) — half the size of compressing
// each file on its own, which turns certificates into random bytes. Terraform's
// replace(urlencode(x), "+", "%20") percent-encodes exactly as percentEncode does, so rendered and
// synthesized configs are byte-identical.
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { Deferred, type IgnitionBuilder, segments, type Text } from "./builder";
import { IGNITION_VERSION } from "./spec";

/** RFC 3986 percent-encoding: only unreserved characters (A–Z a–z 0–9 - _ . ~) stay as they are. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export const DATA_URL_PREFIX = "data:,";

export function gzipBase64(data: string | Buffer): string {
  // level 9 and Node's fixed header (mtime 0) keep this deterministic
  return gzipSync(typeof data === "string" ? Buffer.from(data, "utf8") : data, { level: 9 }).toString("base64");
}

/** A file's contents as a data URL. */
export function encodeStatic(text: string): { source: string } {
  return { source: `${DATA_URL_PREFIX}${percentEncode(text)}` };
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

/** A deferred file's contents: its segments, and the upper bound of their length. */
export interface DeferredFile {
  segs: (string | Deferred)[];
  rawMaxBytes: number;
}

/** The config's JSON text: strings, and the deferred files whose data URLs go between them. */
export type Pieces = (string | DeferredFile)[];

// Placeholders cannot collide with real contents: those are always data-URL encoded.
const placeholder = (n: number) => `@@SLIPWAY_DEFERRED_${n}@@`;
const PLACEHOLDER_RE = /@@SLIPWAY_DEFERRED_(\d+)@@/;

export function renderPieces(b: IgnitionBuilder): Pieces {
  const pending: DeferredFile[] = [];
  const config = b.build((contents, path) => {
    const segs = segments(contents);
    if (!segs.some((s) => s instanceof Deferred)) return encodeStatic(staticText(contents, path));
    const rawMaxBytes = segs.reduce((n, s) => n + (s instanceof Deferred ? s.maxBytes : Buffer.byteLength(s, "utf8")), 0);
    pending.push({ segs, rawMaxBytes });
    // the URL is `data:,` + the percent-encoded contents, filled in by the caller
    return { source: placeholder(pending.length - 1) };
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

const STUB_URL_PREFIX = "data:;base64,";

/** The user_data stub around a gzip-compressed config, split where the base64 goes. */
export function wrapperParts(): [prefix: string, suffix: string] {
  const marker = "@@SLIPWAY_CONFIG@@";
  const stub = JSON.stringify({
    ignition: { version: IGNITION_VERSION, config: { replace: { source: `${STUB_URL_PREFIX}${marker}`, compression: "gzip" } } },
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
  if (!source.startsWith(STUB_URL_PREFIX) || stub.ignition?.config?.replace?.compression !== "gzip")
    throw new Error("not a wrapped Slipway config");
  return gunzipSync(Buffer.from(source.slice(STUB_URL_PREFIX.length), "base64")).toString("utf8");
}

/**
 * Upper bound of the wrapped user_data size once Terraform fills every deferred value. Each
 * deferred value is replaced by filler of its largest possible length that compresses no better
 * than the real thing — random base64 text for certificates, keys and ids, random bytes for
 * anything else (SHA-256 in counter mode: deterministic) — percent-encoded like the real value,
 * and the result is really gzipped.
 */
export function wrappedBound(pieces: Pieces): number {
  let counter = 0;
  const random = (n: number) => {
    let b = Buffer.alloc(0);
    while (b.length < n) b = Buffer.concat([b, createHash("sha256").update(`slipway-filler-${counter++}`).digest()]);
    return b.subarray(0, n);
  };
  const filler = (d: Deferred) =>
    d.alphabet === "base64" ? random(d.maxBytes).toString("base64").slice(0, d.maxBytes) : random(d.maxBytes).toString("latin1");
  const inner = pieces
    .map((p) =>
      typeof p === "string" ? p : `${DATA_URL_PREFIX}${p.segs.map((s) => percentEncode(s instanceof Deferred ? filler(s) : s)).join("")}`,
    )
    .join("");
  const gz = gzipSync(Buffer.from(inner, "utf8"), { level: 9 }).length + 64; // margin for zlib's choices on real data
  const [prefix, suffix] = wrapperParts();
  return prefix.length + 4 * Math.ceil(gz / 3) + suffix.length;
}
