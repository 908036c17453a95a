// `slipway addons [file] [--out DIR]`: the addon bundle the masters apply (bootstrap/addons), for
// review — a summary of each addon on standard error and every object as YAML on standard output —
// or written as plain YAML into a folder (only a new or empty one, or one slipway wrote before)
// with a kustomization.yaml, so `kubectl apply --server-side -k DIR`, Flux or Argo CD can take it
// over later. Secrets never appear: a Secret's value is shown as the variable it comes from, and
// --out leaves the Secret out, saying how to create it.
import { stringify } from "yaml";
import { ADDON_NAMES } from "../clusters/model/addons";
import { printable } from "../clusters/model/errors";
import type { Cluster } from "../clusters/model/load";
import { claimFolder, commitFolder } from "../clusters/model/safe-files";
import { addonBundle, type BundleFile, bundleText, fillSecrets } from "../bootstrap/addons/bundle";
import { chartOf } from "../bootstrap/addons/charts";
import { secretSource } from "../bootstrap/addons/secrets";
import { UsageError } from "./errors";

export const ADDONS_OUTPUT = "addons";

/** The objects of a bundle file, secrets shown as `<from TF_VAR_…>`. */
function items(f: BundleFile): Record<string, unknown>[] {
  const text = fillSecrets(bundleText(f), f.secrets, (name) => `<from ${secretSource(name)}>`).join("");
  return (JSON.parse(text) as { items: Record<string, unknown>[] }).items;
}

const yamlDocs = (objs: Record<string, unknown>[]): string =>
  objs.map((o) => `---\n${stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })}`).join("");

export function addonsSummary(cluster: Cluster): string {
  const lines = [`addons of ${cluster.config.name}`];
  const width = Math.max(...ADDON_NAMES.map((n) => n.length));
  for (const name of ADDON_NAMES) {
    const on = cluster.config.addons[name].enabled;
    const pin = chartOf(cluster.config, name);
    lines.push(`  ${name.padEnd(width)} ${on ? "on " : "off"}  ${pin.chart} ${pin.version} → ${pin.namespace}: ${pin.delivers}`);
  }
  return `${lines.join("\n")}\n`;
}

export function addonsCommand(cluster: Cluster, out?: string): void {
  if (out === "") throw new UsageError("--out needs a folder");
  const bundle = addonBundle(cluster);
  process.stderr.write(addonsSummary(cluster));
  if (!out) {
    for (const f of bundle) {
      if (f.remote)
        process.stdout.write(
          `---\n# ${f.name}: downloaded by the masters from ${f.remote.url} (sha512 ${f.remote.sha512.slice(0, 16)}…)\n`,
        );
      else process.stdout.write(`# ${f.name}\n${yamlDocs(items(f))}`);
    }
    return;
  }
  const folder = claimFolder(out, ADDONS_OUTPUT);
  const files = new Map<string, Buffer>();
  const resources: string[] = [];
  for (const f of bundle) {
    if (f.remote) {
      resources.push(f.remote.url);
      continue;
    }
    if (f.secrets?.length) {
      process.stderr.write(
        `left out ${f.name}: it holds ${f.secrets.map(secretSource).join(", ")}; the masters create it from Terraform state\n`,
      );
      continue;
    }
    const name = f.name.replace(/\.json$/, ".yaml");
    files.set(name, Buffer.from(yamlDocs(items(f))));
    resources.push(name);
  }
  files.set(
    "kustomization.yaml",
    Buffer.from(
      `# ${cluster.config.name}'s addons as slipway ${require("../package.json").version} renders them: kubectl apply --server-side -k .\n` +
        stringify({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources }),
    ),
  );
  commitFolder(folder, ADDONS_OUTPUT, files);
  process.stderr.write(`Wrote ${files.size} files → ${printable(out)}\n`);
}
