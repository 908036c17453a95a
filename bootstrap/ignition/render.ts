// Turning a builder into the bytes a machine boots with.
//
// renderLocal: every value is known (the local PKI of `slipway render`); plain JSON.
// renderTemplate: some file contents are Deferred (Terraform expressions); the caller supplies how
//   to express them and how to escape the static JSON for a Terraform string. The static parts are
//   produced by exactly the same code as renderLocal, so both paths boot the same configuration.
import { gzipSync } from "node:zlib";
import { Deferred, type IgnitionBuilder, segments, type Text } from "./builder";

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
      if (s instanceof Deferred) throw new Error(`${path}: ${s.what} is only known at apply time; renderLocal needs every value`);
      return s;
    })
    .join("");
}

export function renderLocal(b: IgnitionBuilder): string {
  return JSON.stringify(b.build((contents, path) => encodeStatic(staticText(contents, path))));
}

// Placeholders cannot collide with real contents: those are always data-URL encoded.
const placeholder = (n: number) => `@@SLIPWAY_DEFERRED_${n}@@`;
const PLACEHOLDER_RE = /@@SLIPWAY_DEFERRED_(\d+)@@/g;

/** Bytes of base64(gzip(n bytes)) in the worst case (deflate stored blocks + gzip framing). */
export function gzipBase64Bound(n: number): number {
  const gz = n + 18 + 5 * Math.max(1, Math.ceil(n / 65535));
  return 4 * Math.ceil(gz / 3);
}

export interface Template {
  /** the config text with each deferred file's source replaced by `deferredSource(...)` */
  text: string;
  /** upper bound of the final user_data size in bytes, once Terraform fills every value */
  maxBytes: number;
  /** number of files whose contents Terraform fills in */
  deferredCount: number;
}

/**
 * Render with deferred values. `deferredSource` receives the segments of one file and returns the
 * text to put where its data URL goes (e.g. `data:;base64,${base64gzip(...)}` as cdktf tokens).
 * `escapeStatic` escapes the static JSON for the consumer (Terraform: `${` → `$${`).
 */
export function renderTemplate(
  b: IgnitionBuilder,
  deferredSource: (segs: (string | Deferred)[]) => string,
  escapeStatic: (s: string) => string,
): Template {
  const pending: (string | Deferred)[][] = [];
  let boundExtra = 0;
  const config = b.build((contents, path) => {
    const segs = segments(contents);
    if (!segs.some((s) => s instanceof Deferred)) return encodeStatic(staticText(contents, path));
    pending.push(segs);
    const raw = segs.reduce((n, s) => n + (s instanceof Deferred ? s.maxBytes : Buffer.byteLength(s, "utf8")), 0);
    const p = placeholder(pending.length - 1);
    boundExtra += "data:;base64,".length + gzipBase64Bound(raw) - p.length;
    return { source: p, compression: "gzip" };
  });
  const json = JSON.stringify(config);
  const text = escapeStatic(json).replace(PLACEHOLDER_RE, (_, i: string) => deferredSource(pending[Number(i)] as (string | Deferred)[]));
  return { text, maxBytes: Buffer.byteLength(json, "utf8") + boundExtra, deferredCount: pending.length };
}
