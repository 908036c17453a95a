// Glance's v2 API, the calls the uploader makes: list, create, upload the data, read, patch,
// delete. Errors carry Glance's own explanation, with a hint for the ones operators meet (quota,
// policy, an expired token).
import type { Readable } from "node:stream";
import { ImageError } from "./errors";
import { readBody, request, serverMessage } from "./http";
import type { Session } from "./keystone";

export interface GlanceImage {
  id: string;
  name: string;
  status: string;
  size?: number | null;
  os_hash_algo?: string | null;
  os_hash_value?: string | null;
  visibility: string;
  disk_format?: string;
  [property: string]: unknown;
}

function explain(status: number, what: string, body: string): ImageError {
  const said = serverMessage(body);
  const hint =
    status === 413
      ? " — the project's image storage quota is used up; delete old images or ask for more"
      : status === 403
        ? " — the cloud's policy does not allow this for your role (only admins may make public images)"
        : status === 401
          ? " — the token was refused (expired, or Glance cannot validate it)"
          : "";
  return new ImageError(`Glance: ${what}: HTTP ${status}${said ? ` (${said.replace(/[.\s]+$/, "")})` : ""}${hint}`);
}

export class Glance {
  constructor(private readonly session: Session) {}

  private url(path: string): string {
    return `${this.session.imageEndpoint}/v2${path}`;
  }

  private async call<T>(
    method: string,
    path: string,
    what: string,
    body?: unknown,
    contentType = "application/json",
  ): Promise<T | undefined> {
    const res = await request(method, this.url(path), {
      headers: {
        "X-Auth-Token": this.session.token,
        Accept: "application/json",
        ...(body !== undefined ? { "Content-Type": contentType } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      tls: this.session.tls,
    });
    const text = await readBody(res);
    if (!res.statusCode || res.statusCode >= 300) throw explain(res.statusCode ?? 0, what, text);
    if (!text) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ImageError(
        `Glance: ${what}: the answer from ${this.session.imageEndpoint} is not JSON (is the catalog's image endpoint Glance?)`,
      );
    }
  }

  /** Every image matching the filters (following Glance's pages). */
  async list(filters: Record<string, string>): Promise<GlanceImage[]> {
    const out: GlanceImage[] = [];
    let next: string | undefined = `/images?${new URLSearchParams({ ...filters, limit: "100" })}`;
    while (next) {
      const page: { images: GlanceImage[]; next?: string } | undefined = await this.call("GET", next, "listing images");
      out.push(...(page?.images ?? []));
      next = page?.next?.replace(/^\/v2/, "");
    }
    return out;
  }

  async create(fields: Record<string, unknown>): Promise<GlanceImage> {
    return (await this.call<GlanceImage>("POST", "/images", "creating the image", fields)) as GlanceImage;
  }

  async get(id: string): Promise<GlanceImage> {
    return (await this.call<GlanceImage>("GET", `/images/${id}`, `reading image ${id}`)) as GlanceImage;
  }

  /** Sets (adds or replaces) properties with a JSON patch. */
  async setProperties(id: string, props: Record<string, string>, current: GlanceImage): Promise<void> {
    const ops = Object.entries(props).map(([k, v]) => ({ op: k in current ? "replace" : "add", path: `/${k}`, value: v }));
    if (ops.length) await this.call("PATCH", `/images/${id}`, `updating image ${id}`, ops, "application/openstack-images-v2.1-json-patch");
  }

  async delete(id: string): Promise<void> {
    await this.call("DELETE", `/images/${id}`, `deleting image ${id}`);
  }

  /**
   * Streams `body` (`size` bytes) as the image's data. `onRequest` gets the request so a caller
   * can abort it. Resolves when Glance has stored it (204).
   */
  async upload(id: string, body: Readable, size: number, onRequest: (req: import("node:http").ClientRequest) => void): Promise<void> {
    const res = await request("PUT", this.url(`/images/${id}/file`), {
      headers: { "X-Auth-Token": this.session.token, "Content-Type": "application/octet-stream", "Content-Length": String(size) },
      body,
      tls: this.session.tls,
      onRequest,
    });
    const text = await readBody(res);
    if (res.statusCode !== 204 && res.statusCode !== 200 && res.statusCode !== 201)
      throw explain(res.statusCode ?? 0, "uploading the image data", text);
  }
}
