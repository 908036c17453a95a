// The grammars of a cluster file's values: what a name, a network, a URL or a size may be. Each
// refuses anything outside it; free text is escaped wherever it lands (escape.ts). Shared by the
// common fields (fragments.ts), the addons (addons.ts) and every cloud's own (stacks/<cloud>/cloud.ts).
import { z } from "zod";
import { cidrProblem } from "./net";

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const labelMessage = "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit";
export const label = (max: number) => z.string().max(max, `must be at most ${max} characters`).regex(DNS1123_LABEL, labelMessage);

const cidrOf = (v4only: boolean, what: string) =>
  z.string().superRefine((s, ctx) => {
    const problem = cidrProblem(s, v4only);
    if (problem) ctx.addIssue({ code: "custom", message: `${problem} (${what})` });
  });
export const cidr = (what: string) => cidrOf(false, what);
export const ipv4Cidr = (what: string) => cidrOf(true, what);

// No value holds control characters: the loader refuses them file-wide.

/** cdktf marks its tokens with these; a string holding one would be read as a reference. */
export const CDKTF_MARKER = /[$#&]\{TfToken\[/;

/** Free text: a name the cloud gives something (an image, a network, a volume type). */
export const text = (max = 255) =>
  z
    .string()
    .min(1)
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !CDKTF_MARKER.test(s), { message: "holds the sequence ${TfToken[, which the Terraform toolkit (cdktf) reserves" })
    .refine((s) => s.trim() === s, { message: "must not start or end with spaces" });

/** A name in the cloud's own grammar: letters, digits and . _ : - (zones, regions). */
export const cloudName = (example: string) =>
  z
    .string()
    .max(255, "must be at most 255 characters")
    .regex(/^[A-Za-z0-9]([A-Za-z0-9._:-]*[A-Za-z0-9])?$/, `must be a name such as ${example}: letters, digits and . _ : -`);

const LABEL = "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?";
/** A DNS name: labels of 1–63 characters, at most 253 in all, no empty label. */
export const dnsName = (example: string, opts: { wildcard?: boolean; zone?: boolean } = {}) =>
  z
    .string()
    .max(253, "must be at most 253 characters")
    .regex(
      new RegExp(`^${opts.wildcard ? "(\\*\\.)?" : ""}${LABEL}(\\.${LABEL})${opts.zone ? "*\\.[a-z]{2,63}" : "*"}$`),
      `must be a DNS name such as ${example} (lowercase labels of 1 to 63 letters, digits and '-', separated by single dots)`,
    );

// RFC 3986's characters: unreserved, reserved and percent-escapes; no spaces, quotes, braces
const URL_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
const CREDENTIAL_PARAM =
  /^(x-amz-(credential|signature|security-token)|awsaccesskeyid|signature|access[_-]?key(-id)?|secret(_access)?[_-]?key|secret|token|password|passwd|api[_-]?key)$/i;

/**
 * A URL slipway or a machine fetches: https (http only to this machine, where `loopbackHttp`),
 * strict RFC 3986 characters, and never a credential in it — `credentials` says where they go.
 */
export const httpsUrl = (example: string, credentials: string, opts: { loopbackHttp?: boolean } = {}) =>
  z.string().superRefine((s, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: "custom", message });
    if (!URL_CHARS.test(s) || /%(?![0-9A-Fa-f]{2})/.test(s))
      return fail(`must be a URL such as ${example}: no spaces, quotes or braces (percent-encode them)`);
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return fail(`must be a URL such as ${example}`);
    }
    const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);
    if (u.protocol !== "https:" && !(opts.loopbackHttp && u.protocol === "http:" && loopback))
      return fail(`must be an https:// URL such as ${example}${opts.loopbackHttp ? " (http:// only to localhost)" : ""}`);
    if (u.username || u.password) return fail(`must not carry credentials (user:password@…); ${credentials}`);
    for (const k of u.searchParams.keys())
      if (CREDENTIAL_PARAM.test(k)) return fail(`must not carry credentials (?${k}=…); ${credentials}`);
  });

/** A size in GiB. */
export const gib = (what: string) => z.number().int().min(1, "must be at least 1 GiB").max(16384).describe(`${what}, in GiB`);
