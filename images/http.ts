// HTTP for the image commands, on node:http/https: streaming both ways with back-pressure, any
// port (fetch() refuses some), a private CA or no verification when the operator's cloud says so,
// redirects followed for reads. Network failures become one ImageError line.
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { createWriteStream } from "node:fs";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { hasher } from "./digest";
import { fsReason, ImageError, NetworkError, networkReason } from "./errors";
import { progress } from "./progress";

export interface Tls {
  /** PEM bundle of CAs to trust instead of the system's */
  ca?: Buffer;
  /** do not verify the server's certificate (clouds.yaml `verify: false`) */
  insecure?: boolean;
}

export interface RequestOptions {
  headers?: OutgoingHttpHeaders;
  /** a whole body, or a stream sent as it is read (Content-Length must then be in headers) */
  body?: string | Buffer | Readable;
  tls?: Tls;
  /** called with the request once it exists, so a caller can abort it (destroy) */
  onRequest?: (req: import("node:http").ClientRequest) => void;
}

const MAX_REDIRECTS = 5;

/** One HTTP exchange; resolves with the response head (read or drain its body). */
export function request(method: string, url: string, opts: RequestOptions = {}, redirects = 0): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === "https:" ? httpsRequest : httpRequest;
    const req = send(
      u,
      {
        method,
        headers: { "User-Agent": "slipway", ...opts.headers },
        ...(u.protocol === "https:" ? { ca: opts.tls?.ca, rejectUnauthorized: !opts.tls?.insecure } : {}),
      },
      (res) => {
        const location = res.headers.location;
        if ((method === "GET" || method === "HEAD") && res.statusCode && [301, 302, 303, 307, 308].includes(res.statusCode) && location) {
          res.resume();
          if (redirects >= MAX_REDIRECTS) return reject(new ImageError(`${url}: more than ${MAX_REDIRECTS} redirects`));
          return resolve(request(method, new URL(location, u).toString(), opts, redirects + 1));
        }
        resolve(res);
      },
    );
    opts.onRequest?.(req);
    req.on("error", (e) => reject(e instanceof ImageError ? e : new NetworkError(url, networkReason(e))));
    const body = opts.body;
    if (body === undefined) req.end();
    else if (typeof body === "string" || Buffer.isBuffer(body)) req.end(body);
    else {
      body.on("error", (e) => req.destroy(e));
      body.pipe(req);
    }
  });
}

export async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** GET a small text file; undefined when it does not exist (404). */
export async function getText(url: string, tls?: Tls): Promise<string | undefined> {
  const res = await request("GET", url, { tls });
  const text = await readBody(res);
  if (res.statusCode === 404) return undefined;
  if (!res.statusCode || res.statusCode >= 300) throw new ImageError(`${url}: HTTP ${res.statusCode} ${res.statusMessage}`);
  return text;
}

/**
 * Streams `url` into `file` with a progress display, computing the SHA-512 on the way. A
 * connection that breaks off or a body shorter than its Content-Length is an ImageError; the
 * caller compares the digest and owns (removes) `file`.
 */
export async function download(url: string, file: string, label: string): Promise<{ sha512: string; bytes: number }> {
  const r = await request("GET", url);
  if (r.statusCode !== 200) {
    r.resume();
    throw new ImageError(`${url}: HTTP ${r.statusCode} ${r.statusMessage}`);
  }
  const total = Number(r.headers["content-length"]) || undefined;
  const bar = progress(label, total);
  const h = hasher((n) => bar.tick(n));
  try {
    await pipeline(r, h.transform, createWriteStream(file));
  } catch (e) {
    // a full disk or a read-only cache is ours, not the network's
    if ((e as NodeJS.ErrnoException).syscall && (e as NodeJS.ErrnoException).path)
      throw new ImageError(`cannot write ${file}: ${fsReason(e as NodeJS.ErrnoException)}`);
    throw new ImageError(`download of ${url} broke off after ${h.bytes().toLocaleString("en")} bytes: ${networkReason(e)}`);
  } finally {
    bar.done();
  }
  if (total !== undefined && h.bytes() !== total) throw new ImageError(`download of ${url} is truncated: ${h.bytes()} of ${total} bytes`);
  return { sha512: h.digest(), bytes: h.bytes() };
}

/**
 * An OpenStack service's explanation from an error body, on one line: the message of a JSON
 * error ({"message"} or {"error": {"message"}}), else the text of webob's plain or HTML error
 * page without its status line.
 */
export function serverMessage(body: string): string {
  const oneLine = (t: string) =>
    t
      .replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " ")
      .trim();
  try {
    const j = JSON.parse(body) as { message?: string; error?: { message?: string } };
    const m = j.message ?? j.error?.message;
    if (m) return oneLine(m);
  } catch {
    /* a page, not JSON */
  }
  return oneLine(
    body
      .replace(/^\s*\d{3} [^\n]*\n/, " ")
      .replace(/<title>.*?<\/title>/s, " ")
      .replace(/<h1>.*?<\/h1>/s, " "),
  ).slice(0, 300);
}
