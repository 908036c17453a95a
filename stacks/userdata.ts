// user_data for a machine: the node's Ignition config from bootstrap/, with apply-time values
// (certificates, volume ids) spliced in as Terraform expressions, wrapped in a stub that carries
// the whole config gzip-compressed (bootstrap/ignition/render.ts explains why).
//
// The config text is assembled in Terraform as base64gzip(join("", [base64decode("<static>"),
// "data:,", replace(urlencode(<pem>), "+", "%20"), ...])): static JSON only ever reaches HCL as
// base64 literals and static file text as percent-encoded literals ([A-Za-z0-9%._~-] only), so
// quotes, backslashes, `${` and `%{` in unit files and scripts need no escaping
// (cdktf-toolchain §5).
import { Fn } from "cdktf";
import { Deferred, type Text } from "../bootstrap/ignition/builder";
import { DATA_URL_PREFIX, type Pieces, percentEncode, renderPieces, wrappedBound, wrapperParts } from "../bootstrap/ignition/render";
import type { NodeTarget, NodeValues } from "../bootstrap/node";
import { buildNode } from "../bootstrap/roles";
import type { Cluster } from "../clusters/model/load";
import { CLOUDS, type CloudName } from "../clusters/model/clouds";
import type { TerraformPki } from "./pki";

const literal = (s: string) => Fn.base64decode(Buffer.from(s, "utf8").toString("base64"));

/** A file's contents, percent-encoded: static text in TypeScript, deferred values by Terraform. */
function deferredExpression(segs: (string | Deferred)[]): string {
  const encoded = segs.map((s) => (s instanceof Deferred ? Fn.replace(Fn.urlencode(s.expression), "+", "%20") : percentEncode(s)));
  return encoded.length === 1 ? (encoded[0] as string) : Fn.join("", encoded);
}

/** The config's JSON text as a Terraform expression. */
function configExpression(pieces: Pieces): string {
  const parts: string[] = [];
  for (const p of pieces) {
    if (typeof p === "string") {
      if (p) parts.push(literal(p));
    } else parts.push(DATA_URL_PREFIX, deferredExpression(p.segs));
  }
  return Fn.join("", parts);
}

/**
 * Text made of static strings and Terraform expressions: as a string for user_data, and base64
 * encoded by Terraform (launch templates take user_data in base64) with the static strings passed
 * as base64 literals — quotes in static text must not reach an HCL function call.
 */
export function tfText(parts: (string | { expr: string })[]): { text: string; base64: string } {
  return {
    text: parts.map((p) => (typeof p === "string" ? p : p.expr)).join(""),
    base64: Fn.base64encode(
      Fn.join(
        "",
        parts.map((p) => (typeof p === "string" ? literal(p) : p.expr)),
      ),
    ),
  };
}

export interface UserData {
  /** the user_data attribute (a string with cdktf tokens) */
  text: string;
  /** the same, base64-encoded by Terraform */
  base64: string;
  /** upper bound of the user_data size in bytes once Terraform has filled every value */
  maxBytes: number;
  /** the config itself (unwrapped JSON text) as a Terraform expression, to serve it elsewhere */
  config: string;
  /** where the config is served from, when not inline (for the summary) */
  servedFrom?: string;
}

/** Values for a node config on the Terraform path: PEMs from the Terraform PKI, the rest given. */
export function terraformValues(
  pki: TerraformPki,
  hostname: Text,
  volumes: Partial<Record<"etcd-data" | "logs", Deferred>> = {},
): NodeValues {
  return {
    hostname,
    pem: (name, kind) => pki.pem(name, kind),
    joinToken: (pool) => pki.joinToken(pool),
    joinSeed: pki.joinSeed,
    etcdPassword: (g) => pki.etcdPassword(g),
    etcdSeed: pki.etcdSeed,
    encryptionKey: pki.encryptionKey,
    apiEndpoints: pki.apiEndpoints,
    addonSecret: (name) => pki.addonSecret(name),
    volume: (purpose) => {
      const v = volumes[purpose];
      if (!v) throw new Error(`this machine has no ${purpose} volume`);
      return v;
    },
  };
}

export function terraformUserData(cluster: Cluster, target: NodeTarget, values: NodeValues): UserData {
  const pieces = renderPieces(buildNode(cluster, target, values));
  const [prefix, suffix] = wrapperParts();
  const config = configExpression(pieces);
  return { ...tfText([prefix, { expr: Fn.base64gzip(config) }, suffix]), maxBytes: wrappedBound(pieces), config };
}

/** What the cloud accepts (its descriptor says), and how it counts. */
export function userDataLimit(cloud: CloudName): { bytes: number; counted: "raw" | "base64"; what: string; remedy?: string } {
  const u = CLOUDS[cloud].userData;
  return { bytes: u.limit, counted: u.counted, what: u.what, ...(u.remedy ? { remedy: u.remedy } : {}) };
}

export function countedBytes(cloud: CloudName, rawBytes: number): number {
  return userDataLimit(cloud).counted === "base64" ? 4 * Math.ceil(rawBytes / 3) : rawBytes;
}

/** Sizes per role, recorded while building a stack; checked against the cloud's limit. */
export class UserDataBudget {
  readonly sizes = new Map<string, number>();
  /** roles whose config is served from elsewhere (S3), with where */
  readonly servedFrom = new Map<string, string>();
  constructor(readonly cloud: CloudName) {}

  record(label: string, ud: UserData): UserData {
    this.sizes.set(label, Math.max(this.sizes.get(label) ?? 0, ud.maxBytes));
    if (ud.servedFrom) this.servedFrom.set(label, ud.servedFrom);
    return ud;
  }

  /** Whether user_data of this size fits the cloud's limit. */
  fits(ud: UserData): boolean {
    return countedBytes(this.cloud, ud.maxBytes) <= userDataLimit(this.cloud).bytes;
  }

  /**
   * Whether it stays within half the limit: the headroom Slipway keeps so that a few more
   * certificates, pools or addons never push a working cluster over (where the cloud offers
   * another place for configs, larger ones go there).
   */
  withinHeadroom(ud: UserData): boolean {
    return countedBytes(this.cloud, ud.maxBytes) <= userDataLimit(this.cloud).bytes / 2;
  }

  /** Human-readable problems; empty when every config fits. */
  problems(): string[] {
    const limit = userDataLimit(this.cloud);
    return [...this.sizes]
      .filter(([, raw]) => countedBytes(this.cloud, raw) > limit.bytes)
      .map(
        ([label, raw]) =>
          `user_data of ${label} could reach ${countedBytes(this.cloud, raw).toLocaleString("en")} bytes` +
          `${limit.counted === "base64" ? " after base64" : ""}; ${limit.what}` +
          // nothing is served from elsewhere yet: the cloud's other place for configs is the remedy
          `${limit.remedy && this.servedFrom.size === 0 && label === "master" ? ` (${limit.remedy})` : ""}`,
      );
  }
}
