// The part of Cloudflare's API the traffic switch uses, through the official `cloudflare` library:
// a zone's records by name, and one record created, changed or deleted at a time. Every error
// becomes one line that never holds the token.
import type Cloudflare from "cloudflare";
import { printable, UserError } from "./errors";

export interface DnsRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment: string;
}

/** What a record should be (no id: the switch creates or edits towards it). */
export type WantedRecord = Omit<DnsRecord, "id">;

const TOKEN_VAR = "CLOUDFLARE_API_TOKEN";

export class Dns {
  private constructor(
    private readonly client: Cloudflare,
    private readonly token: string,
  ) {}

  /** A client with the token from the environment (the only place it is read from). */
  static fromEnvironment(zone: string): Dns {
    const token = process.env[TOKEN_VAR];
    if (!token)
      throw new UserError(
        `${TOKEN_VAR} is not set: give it a Cloudflare API token that may edit DNS records of ${zone} (Zone → DNS → Edit)`,
      );
    // loaded only here: the library is large, and validate/synth never need it
    const { Cloudflare: Client } = require("cloudflare") as typeof import("cloudflare");
    // only the token: a global key or e-mail in the environment must not be sent along with it
    return new Dns(new Client({ apiToken: token, apiKey: null, apiEmail: null, userServiceKey: null, timeout: 30_000 }), token);
  }

  /** The zone's name, which must be the one the file says: a wrong id is caught before any change. */
  async zoneName(zoneId: string): Promise<string> {
    return this.call("read the zone", async () => (await this.client.zones.get({ zone_id: zoneId })).name);
  }

  /** Every record with exactly this name (all pages). */
  async records(zoneId: string, name: string): Promise<DnsRecord[]> {
    return this.call(`list the records of ${name}`, async () => {
      const out: DnsRecord[] = [];
      for await (const r of this.client.dns.records.list({ zone_id: zoneId, name: { exact: name }, per_page: 100 }))
        out.push({
          id: r.id,
          name: r.name,
          type: r.type,
          content: String(r.content ?? ""),
          ttl: Number(r.ttl),
          proxied: Boolean(r.proxied),
          comment: r.comment ?? "",
        });
      return out;
    });
  }

  async create(zoneId: string, want: WantedRecord): Promise<void> {
    await this.call(`create ${want.type} ${want.name}`, () =>
      this.client.dns.records.create({ zone_id: zoneId, ...(want as WantedRecord & { type: "CNAME" }) }),
    );
  }

  /** PUT: the record becomes exactly `want`, in one step (no moment without a record). */
  async update(zoneId: string, id: string, want: WantedRecord): Promise<void> {
    await this.call(`change ${want.type} ${want.name}`, () =>
      this.client.dns.records.update(id, { zone_id: zoneId, ...(want as WantedRecord & { type: "CNAME" }) }),
    );
  }

  async delete(zoneId: string, record: DnsRecord): Promise<void> {
    await this.call(`delete ${record.type} ${record.name}`, () => this.client.dns.records.delete(record.id, { zone_id: zoneId }));
  }

  private async call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw new UserError(this.scrub(`Cloudflare: cannot ${doing}: ${describeError(e)}`));
    }
  }

  /** Belt and braces: whatever an error carries, the token never reaches the terminal. */
  private scrub(text: string): string {
    return printable(text.split(this.token).join("[token]"));
  }
}

function describeError(e: unknown): string {
  const err = e as { status?: number; errors?: { code?: number; message?: string }[]; message?: string; name?: string };
  if (err && typeof err === "object" && "status" in err && err.status !== undefined) {
    const said = (err.errors ?? []).map((x) => `${x.message ?? "error"}${x.code !== undefined ? ` [${x.code}]` : ""}`).join("; ");
    const auth = err.status === 401 || err.status === 403 ? ` — the token in ${TOKEN_VAR} was refused or may not do this` : "";
    return `HTTP ${err.status}${said ? `: ${said}` : ""}${auth}`;
  }
  if (err?.name === "APIConnectionTimeoutError") return "no answer in time";
  if (err?.name === "APIConnectionError") return `cannot connect (${(err as { cause?: Error }).cause?.message ?? err.message})`;
  return err?.message ?? String(e);
}
