// Nothing in a cluster file is trusted. Where a string from it lands decides how it is written,
// and this module is the one place that says how — every destination uses it:
//
//   Terraform JSON     forTerraform(config): every string with `${` → `$${` and `%{` → `%%{`;
//                      Terraform evaluates both in any string of a resource, data source, provider
//                      or output (a plan would otherwise run `${file("/etc/passwd")}`). The stacks
//                      build resources from this escaped copy only. The one exception is the
//                      `terraform { backend … }` block, which Terraform reads literally (no
//                      templates at all): backend settings go there exactly as written.
//   systemd units      systemdWord(s): one quoted word for Exec*= lines (`\` `"` escaped, `%` → `%%`,
//                      `$` → `$$`); systemdText(s) for other settings (`%` → `%%`).
//   shell              shellWord(s): one single-quoted word.
//   YAML / JSON        only ever through a serializer (JSON.stringify, yaml's stringify,
//                      kubernetes-models), never by pasting text.
//   Graphviz DOT       dotString(s): one double-quoted string (`\` and `"` escaped; `slipway diagram`).
//   environment files  refused when a value would need quoting (envFile in bootstrap/parts/files.ts):
//                      systemd's EnvironmentFile= and docker's --env-file read quotes differently.
//
// What has a grammar — names, zones, regions, flavors, URLs, versions — is refused by the schema
// instead (fragments.ts and each cloud's descriptor), and no value may hold control characters
// (load.ts): they would reach a terminal, a unit file or a log.

/** A string as Terraform must see it to keep it literal. */
export function terraformLiteral(s: string): string {
  // (a function, not a replacement string: in one of those "$$" means a single "$")
  return s.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** A deep copy of `value` with every string (and object key) made literal for Terraform. */
export function forTerraform<T>(value: T): T {
  if (typeof value === "string") return terraformLiteral(value) as T;
  if (Array.isArray(value)) return value.map((v) => forTerraform(v)) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [terraformLiteral(k), forTerraform(v)])) as T;
  return value;
}

/** `s` as one word of a systemd Exec*= line: passed to the program exactly as it is. */
export function systemdWord(s: string): string {
  if (/[\n\r\0]/.test(s)) throw new Error("a systemd word cannot hold a line break");
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%").replace(/\$/g, "$$$$")}"`;
}

/** `s` in a systemd setting that expands specifiers but not variables (Description=, …). */
export function systemdText(s: string): string {
  if (/[\n\r\0]/.test(s)) throw new Error("a systemd setting cannot hold a line break");
  return s.replace(/%/g, "%%");
}

/** `s` as one word of a POSIX shell command line. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** One double-quoted DOT string: Graphviz reads `\"` and `\\` in it; lines join with dotLines. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Lines of a DOT label, each escaped, centred (`\n`). */
export function dotLines(lines: readonly string[]): string {
  return `"${lines.map((l) => dotString(l).slice(1, -1)).join("\\n")}"`;
}
