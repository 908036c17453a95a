// Turning schema issues into messages an operator understands without reading the schema:
// "must be a whole number, not text "three"" rather than "Invalid input: expected int".
import type { z } from "zod";
import { CLOUD_ONLY_FIELDS, clusterJsonSchema } from "./schema";

function describe(v: unknown): string {
  if (v === null) return "empty";
  if (Array.isArray(v)) return "a list";
  switch (typeof v) {
    case "string":
      return `text "${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
    case "number":
      return Number.isInteger(v) ? `the number ${v}` : `the number ${v}`;
    case "boolean":
      return `${v}`;
    case "object":
      return "a mapping";
    default:
      return typeof v;
  }
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping of fields",
};

const list = (vs: readonly unknown[]) => vs.map((v) => (typeof v === "string" ? `"${v}"` : String(v))).join(", ");

/** zod error map, used for every issue whose schema did not give its own message. */
export function friendlyMessage(iss: z.core.$ZodRawIssue): string | undefined {
  const input = iss.input;
  switch (iss.code) {
    case "invalid_type": {
      const expected = EXPECTED[iss.expected] ?? iss.expected;
      if (input === undefined) return `is required (${expected})`;
      return `must be ${expected}, not ${describe(input)}`;
    }
    case "too_small": {
      const min = Number(iss.minimum);
      if (iss.origin === "array") return `needs at least ${min} ${min === 1 ? "entry" : "entries"}`;
      if (iss.origin === "string") return min <= 1 ? "must not be empty" : `must be at least ${min} characters`;
      return `must be at least ${min}${iss.inclusive === false ? " (exclusive)" : ""}, not ${String(input)}`;
    }
    case "too_big": {
      const max = Number(iss.maximum);
      if (iss.origin === "array") return `allows at most ${max} entries`;
      if (iss.origin === "string") return `must be at most ${max} characters`;
      return `must be at most ${max}, not ${String(input)}`;
    }
    case "invalid_value":
      if (input === undefined) return `is required: one of ${list(iss.values)}`;
      return `must be one of ${list(iss.values)}, not ${describe(input)}`;
    case "invalid_union": {
      // A discriminated union reports the parent object as input; the bad value is its discriminator.
      const { options, discriminator } = iss as { options?: unknown[]; discriminator?: string };
      if (options) {
        const value = discriminator && input && typeof input === "object" ? (input as Record<string, unknown>)[discriminator] : input;
        return value === undefined ? `is required: one of ${list(options)}` : `must be one of ${list(options)}, not ${describe(value)}`;
      }
      return `has an unexpected value (${describe(input)})`;
    }
    case "invalid_format":
      if (iss.format === "url") return `must be a URL such as https://example.com/path, not ${describe(input)}`;
      return `has the wrong format: ${describe(input)}`;
    default:
      return undefined;
  }
}

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
};

let cachedSchema: JsonSchema | undefined;

/** Field names the schema allows at `path` (all variants of a union, merged); the cluster file's by default. */
export function knownFields(path: readonly PropertyKey[], schema?: object): string[] {
  cachedSchema ??= clusterJsonSchema() as JsonSchema;
  let nodes: JsonSchema[] = [(schema as JsonSchema | undefined) ?? cachedSchema];
  const expand = (ns: JsonSchema[]): JsonSchema[] => ns.flatMap((n) => [n, ...expand([...(n.oneOf ?? []), ...(n.anyOf ?? [])])]);
  for (const seg of path) {
    nodes = expand(nodes).flatMap((n) => {
      if (typeof seg === "number") return n.items ? [n.items] : [];
      const p = n.properties?.[String(seg)];
      return p ? [p] : [];
    });
  }
  return [...new Set(expand(nodes).flatMap((n) => Object.keys(n.properties ?? {})))].sort();
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const prev = d[i - 1] as number[];
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  return (d[a.length] as number[])[b.length] as number;
}

export function unknownFieldMessage(path: readonly PropertyKey[], data: unknown): string {
  const key = String(path[path.length - 1]);
  const cloud = (data as { cloud?: unknown } | null)?.cloud;
  const only = CLOUD_ONLY_FIELDS.get(key);
  if (only && only !== cloud) return `unknown field "${key}": it belongs to cloud: ${only}, and this file says cloud: ${String(cloud)}`;
  return suggestField(
    key,
    knownFields(path.slice(0, -1)).filter((k) => !CLOUD_ONLY_FIELDS.has(k) || CLOUD_ONLY_FIELDS.get(k) === cloud),
  );
}

/** "unknown field" with the nearest allowed name, or the list of allowed ones. */
export function suggestField(key: string, known: readonly string[]): string {
  const best = known
    .map((k) => ({ k, d: distance(key.toLowerCase(), k.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(key.length / 3)))
    .sort((a, b) => a.d - b.d)[0];
  if (best) return `unknown field "${key}"; did you mean "${best.k}"?`;
  return known.length > 0 ? `unknown field "${key}"; allowed here: ${known.join(", ")}` : `unknown field "${key}"`;
}
