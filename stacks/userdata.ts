// user_data for a machine: the node's Ignition config from bootstrap/, with apply-time values
// spliced in as Terraform expressions. Static JSON is escaped for Terraform's template syntax, and
// every deferred file is `data:;base64,${base64gzip(...)}` with static pieces passed as base64
// literals — the two patterns that survive cdktf (notes: cdktf-toolchain §5).
import { Fn } from "cdktf";
import { Deferred } from "../bootstrap/ignition/builder";
import { renderTemplate } from "../bootstrap/ignition/render";
import type { NodeTarget, NodeValues } from "../bootstrap/node";
import { buildNode } from "../bootstrap/roles";
import type { Cluster } from "./model/load";
import type { CloudName } from "./model/schema";

/** Terraform reads `${` and `%{` in a string as template syntax. */
export function tfEscape(s: string): string {
  return s.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

function deferredExpression(segs: (string | Deferred)[]): string {
  if (segs.length === 1 && segs[0] instanceof Deferred) return segs[0].expression;
  return Fn.join(
    "",
    segs.map((s) => (s instanceof Deferred ? s.expression : Fn.base64decode(Buffer.from(s, "utf8").toString("base64")))),
  );
}

export interface UserData {
  /** the user_data attribute (a string with cdktf tokens) */
  text: string;
  /** upper bound of the user_data size in bytes once Terraform has filled every value */
  maxBytes: number;
}

export function terraformUserData(cluster: Cluster, target: NodeTarget, values: NodeValues): UserData {
  const b = buildNode(cluster, target, values);
  const t = renderTemplate(b, (segs) => `data:;base64,${Fn.base64gzip(deferredExpression(segs))}`, tfEscape);
  return { text: t.text, maxBytes: t.maxBytes };
}

/** What each cloud accepts, and how it counts. */
export const USER_DATA_LIMITS: Record<CloudName, { bytes: number; counted: "raw" | "base64"; what: string }> = {
  aws: { bytes: 16384, counted: "raw", what: "EC2 accepts at most 16,384 bytes of user_data" },
  openstack: { bytes: 65535, counted: "base64", what: "Nova accepts at most 65,535 bytes of base64-encoded user_data" },
};

export function countedBytes(cloud: CloudName, rawBytes: number): number {
  return USER_DATA_LIMITS[cloud].counted === "base64" ? 4 * Math.ceil(rawBytes / 3) : rawBytes;
}

/** Sizes per role, recorded while building a stack; checked against the cloud's limit. */
export class UserDataBudget {
  readonly sizes = new Map<string, number>();
  constructor(readonly cloud: CloudName) {}

  record(label: string, ud: UserData): string {
    this.sizes.set(label, Math.max(this.sizes.get(label) ?? 0, ud.maxBytes));
    return ud.text;
  }

  /** Human-readable problems; empty when every config fits. */
  problems(): string[] {
    const limit = USER_DATA_LIMITS[this.cloud];
    return [...this.sizes]
      .filter(([, raw]) => countedBytes(this.cloud, raw) > limit.bytes)
      .map(
        ([label, raw]) =>
          `user_data of ${label} could reach ${countedBytes(this.cloud, raw).toLocaleString("en")} bytes` +
          `${limit.counted === "base64" ? " after base64" : ""}; ${limit.what}`,
      );
  }
}
