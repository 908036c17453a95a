// How workers join, the same in Terraform, `slipway render` and on the masters: each worker pool
// has a bootstrap token of its own that changes every `kubernetes.joinTokenDays` days (a period)
// and is valid for two periods. Tokens are not stored anywhere: they are derived from one secret
// seed (Terraform state, or the local PKI) as
//
//   id     = first  6 hex digits of SHA-256("<seed>:<pool>:<period>:id")
//   secret = first 16 hex digits of SHA-256("<seed>:<pool>:<period>:secret")
//   period = floor(unix time / (joinTokenDays × 86400))
//
// so Terraform (sha256, format, floor, substr), the masters' join-tokens script (sha256sum) and
// this module agree without talking to each other; test/join.test.ts holds all three to it with
// the real terraform and bash. The token carries the pool in an extra group, which the masters'
// CSR approver uses to allow only that pool's machine names.
import { createHash } from "node:crypto";

export const DAY_SECONDS = 86_400;

export function joinPeriod(unixSeconds: number, days: number): number {
  return Math.floor(unixSeconds / (days * DAY_SECONDS));
}

export function joinToken(seed: string, pool: string, period: number): { id: string; secret: string } {
  const h = (what: string) => createHash("sha256").update(`${seed}:${pool}:${period}:${what}`).digest("hex");
  return { id: h("id").slice(0, 6), secret: h("secret").slice(0, 16) };
}

/** When the token of `period` stops working: the end of the period after it. */
export function joinTokenExpiry(period: number, days: number): number {
  return (period + 2) * days * DAY_SECONDS;
}

/** The extra group a pool's token authenticates with (bootstrap tokens allow system:bootstrappers:*). */
export const joinGroup = (pool: string) => `system:bootstrappers:slipway:pool-${pool}`;

/** Where the seed lives on masters (0600). */
export const JOIN_SEED_FILE = "/etc/kubernetes/join-seed";
