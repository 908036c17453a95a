// The part of AWS IAM's policy evaluation these policies rely on, for tests (no IAM runs here):
// an implicit deny, Allow statements whose Action and Resource patterns match (`*` and `?`
// wildcards, case-insensitive actions), and the condition operators used (StringEquals,
// StringLike; a key the request lacks fails the condition). A request naming several resources
// (AttachVolume: the volume and the instance) is allowed only if each one is.
export interface Statement {
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
export interface Request {
  action: string;
  resources: { arn: string; tags?: Record<string, string> }[];
  /** aws:RequestTag/<k>, ec2:CreateAction and the like */
  context?: Record<string, string>;
}

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const glob = (pattern: string, value: string, caseless = false) =>
  new RegExp(
    `^${pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/]/g, "\\$&")))
      .join("")}$`,
    caseless ? "i" : "",
  ).test(value);

function conditionHolds(cond: Statement["Condition"], ctx: Record<string, string>): boolean {
  for (const [op, entries] of Object.entries(cond ?? {}))
    for (const [key, wanted] of Object.entries(entries)) {
      const have = ctx[key];
      if (have === undefined) return false;
      if (op === "StringEquals" && !list(wanted).includes(have)) return false;
      if (op === "StringLike" && !list(wanted).some((w) => glob(w, have))) return false;
      if (op !== "StringEquals" && op !== "StringLike") throw new Error(`condition operator ${op} is not modelled`);
    }
  return true;
}

export function allowed(statements: Statement[], req: Request): boolean {
  return req.resources.every((r) => {
    const ctx: Record<string, string> = { ...req.context };
    for (const [k, v] of Object.entries(r.tags ?? {})) ctx[`ec2:ResourceTag/${k}`] = v;
    const matches = statements.filter(
      (s) =>
        list(s.Action).some((a) => glob(a, req.action, true)) &&
        list(s.Resource).some((p) => glob(p, r.arn)) &&
        conditionHolds(s.Condition, ctx),
    );
    return matches.some((s) => s.Effect === "Allow") && !matches.some((s) => s.Effect === "Deny");
  });
}
