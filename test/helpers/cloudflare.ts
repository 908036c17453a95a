// A local stand-in for the part of Cloudflare's v4 API the traffic switch uses, written from
// Cloudflare's API documentation (developers.cloudflare.com/api: "Zone Details", "List DNS
// Records", "Create/Overwrite/Update/Delete DNS Record"): bearer tokens, the response envelope
// {success, errors, messages, result, result_info}, page/per_page pagination, the record
// validations the switch can run into (name inside the zone, TTL 1 or 60–86400, comments of at
// most 100 characters on the free plan, an A/AAAA/CNAME clash at one name, a record that does not
// exist) with their error codes. On 127.0.0.1 only.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface CfRecord {
  id: string;
  zone_id: string;
  zone_name: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment: string | null;
  tags: string[];
  created_on: string;
  modified_on: string;
}

export interface Write {
  method: string;
  name: string;
  type?: string;
  content?: string;
  ttl?: number;
}

export interface CloudflareStandIn {
  baseUrl: string;
  token: string;
  records: CfRecord[];
  /** every successful write, in order */
  writes: Write[];
  /** every token a request brought (to prove which one was sent) */
  tokensSeen: Set<string>;
  /** requests that carried a global API key (X-Auth-Key) */
  globalKeys: number;
  /** after this many more successful writes, every write fails with HTTP 500 (undefined: never) */
  failWritesAfter?: number;
  /** the page size the stand-in forces, whatever per_page asks (to make the switch page) */
  pageSize?: number;
  add(r: Partial<CfRecord> & { name: string; type: string; content: string }): CfRecord;
  close(): Promise<void>;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOST = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}$/;

/** A record's fields from a request body (already validated). */
function recordFields(body: Record<string, unknown>) {
  return {
    name: String(body.name).toLowerCase(),
    type: String(body.type),
    content: String(body.content),
    ttl: Number(body.ttl ?? 1),
    proxied: Boolean(body.proxied),
    comment: typeof body.comment === "string" ? body.comment : null,
  };
}

export async function cloudflareStandIn(zone: { id: string; name: string }): Promise<CloudflareStandIn> {
  const token = `cf-test-${randomBytes(12).toString("hex")}`;
  let n = 0;
  const now = () => new Date().toISOString();
  const state: CloudflareStandIn = {
    baseUrl: "",
    token,
    records: [],
    writes: [],
    tokensSeen: new Set(),
    globalKeys: 0,
    add(r) {
      const rec: CfRecord = {
        id: (++n).toString(16).padStart(32, "0"),
        zone_id: zone.id,
        zone_name: zone.name,
        ttl: 1,
        proxied: false,
        comment: null,
        tags: [],
        created_on: now(),
        modified_on: now(),
        ...r,
      };
      state.records.push(rec);
      return rec;
    },
    close: () => new Promise((res) => server.close(() => res())),
  };

  const send = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, result: unknown, resultInfo?: object) =>
    send(res, 200, { success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) });
  const fail = (res: ServerResponse, status: number, code: number, message: string) =>
    send(res, status, { success: false, errors: [{ code, message }], messages: [], result: null });

  const validate = (body: Record<string, unknown>, self?: CfRecord): [number, string] | undefined => {
    const name = String(body.name ?? "").toLowerCase();
    const type = String(body.type ?? "");
    const content = String(body.content ?? "");
    const ttl = body.ttl === undefined ? 1 : Number(body.ttl);
    if (!name || !HOST.test(name) || (name !== zone.name && !name.endsWith(`.${zone.name}`)))
      return [9005, `DNS name is invalid or not in the zone ${zone.name}.`];
    if (!["A", "AAAA", "CNAME", "TXT"].includes(type)) return [9000, "DNS record type is invalid."];
    if (type === "A" && !IPV4.test(content)) return [9005, "Content for A record must be a valid IPv4 address."];
    if (type === "CNAME" && !HOST.test(content)) return [9007, "Content for CNAME record is invalid."];
    if (!(ttl === 1 || (Number.isInteger(ttl) && ttl >= 60 && ttl <= 86400)))
      return [9021, "Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic."];
    if (typeof body.comment === "string" && body.comment.length > 100)
      return [9101, "DNS record comment is too long: at most 100 characters on this plan."];
    if (["A", "AAAA", "CNAME"].includes(type)) {
      const clash = state.records.find(
        (r) => r !== self && r.name === name && ["A", "AAAA", "CNAME"].includes(r.type) && (type === "CNAME" || r.type === "CNAME"),
      );
      if (clash) return [81053, "An A, AAAA, or CNAME record with that host already exists."];
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const auth = req.headers.authorization ?? "";
    const given = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    state.tokensSeen.add(given);
    if (req.headers["x-auth-key"] !== undefined) state.globalKeys++;
    if (given !== token) return fail(res, 403, 10000, "Authentication error");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const parts = url.pathname.replace(/^\/client\/v4\//, "").split("/");
    if (parts[0] !== "zones" || parts[1] !== zone.id)
      return fail(res, 400, 7003, `Could not route to ${url.pathname}, perhaps your object identifier is invalid?`);
    if (parts.length === 2 && req.method === "GET") return ok(res, { id: zone.id, name: zone.name, status: "active" });
    if (parts[2] !== "dns_records") return fail(res, 400, 7000, "No route for that URI");
    let raw = "";
    for await (const chunk of req) raw += chunk;
    let body: Record<string, unknown> = {};
    if (raw)
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return fail(res, 400, 9207, "Request body is invalid.");
      }
    const id = parts[3];
    if (req.method === "GET" && !id) {
      const exact = url.searchParams.get("name.exact") ?? url.searchParams.get("name");
      const type = url.searchParams.get("type");
      const perPage = state.pageSize ?? Number(url.searchParams.get("per_page") ?? 100);
      const page = Number(url.searchParams.get("page") ?? 1);
      if (!Number.isInteger(perPage) || perPage < 5 || perPage > 5_000_000)
        return fail(res, 400, 1004, "per_page must be between 5 and 5000000");
      const all = state.records.filter((r) => (!exact || r.name === exact.toLowerCase()) && (!type || r.type === type));
      const slice = all.slice((page - 1) * perPage, page * perPage);
      return ok(res, slice, {
        page,
        per_page: perPage,
        count: slice.length,
        total_count: all.length,
        total_pages: Math.ceil(all.length / perPage),
      });
    }
    // writes
    if (state.failWritesAfter !== undefined && state.failWritesAfter <= 0) return fail(res, 500, 10001, "Internal server error");
    const done = (w: Write, result: unknown) => {
      state.writes.push(w);
      if (state.failWritesAfter !== undefined) state.failWritesAfter--;
      ok(res, result);
    };
    if (req.method === "POST" && !id) {
      const bad = validate(body);
      if (bad) return fail(res, 400, bad[0], bad[1]);
      const rec = state.add(recordFields(body));
      return done({ method: "POST", name: rec.name, type: rec.type, content: rec.content, ttl: rec.ttl }, rec);
    }
    const rec = state.records.find((r) => r.id === id);
    if (!rec) return fail(res, 404, 81044, "Record does not exist.");
    if (req.method === "DELETE") {
      state.records.splice(state.records.indexOf(rec), 1);
      return done({ method: "DELETE", name: rec.name, type: rec.type }, { id: rec.id });
    }
    if (req.method === "PUT" || req.method === "PATCH") {
      // PUT overwrites the record; PATCH changes only the fields given
      const merged = req.method === "PUT" ? body : { ...rec, ...body };
      const bad = validate(merged, rec);
      if (bad) return fail(res, 400, bad[0], bad[1]);
      Object.assign(rec, recordFields(merged), { modified_on: now() });
      return done({ method: req.method, name: rec.name, type: rec.type, content: rec.content, ttl: rec.ttl }, rec);
    }
    return fail(res, 405, 10405, "Method not allowed");
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => fail(res, 500, 10001, String(e)));
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`;
  return state;
}
