// The real terraform (or OpenTofu) binary, which evaluates what synthesis emits. It cannot be
// installed from Debian or npm; CI machines carry it (/usr/local/bin/terraform). A test that needs
// it fails when it is missing — it never passes without having checked anything.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function terraformBinary(): string {
  for (const name of ["terraform", "tofu"]) {
    const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
    if (found) return found;
  }
  throw new Error("terraform (or tofu) is not installed: this test evaluates synthesized expressions with it");
}

/** `terraform init` + `apply` of a provider-less JSON config in `dir`; returns `terraform output -json`. */
export function applyOffline(dir: string, config: unknown): Record<string, { value: unknown }> {
  const tf = terraformBinary();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "main.tf.json"), JSON.stringify(config));
  const env = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
  for (const args of [
    ["init", "-input=false", "-no-color"],
    ["apply", "-auto-approve", "-input=false", "-no-color"],
  ]) {
    const r = spawnSync(tf, args, { cwd: dir, env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`terraform ${args[0]} failed:\n${r.stdout}${r.stderr}`);
  }
  const out = spawnSync(tf, ["output", "-json", "-no-color"], { cwd: dir, env, encoding: "utf8" });
  if (out.status !== 0) throw new Error(`terraform output failed:\n${out.stderr}`);
  return JSON.parse(out.stdout) as Record<string, { value: unknown }>;
}

/** terraform -chdir=`dir`, offline and quiet; its output, or an Error with what it said. */
export function terraformIn(dir: string): (args: string[]) => string {
  const tf = terraformBinary();
  return (args) => {
    const r = spawnSync(tf, [`-chdir=${dir}`, ...args], { encoding: "utf8", env: { ...process.env, ...OFFLINE_ENV } });
    if (r.status !== 0) throw new Error(`terraform ${args[0]}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
}

/** What a test's terraform runs need to stay offline and quiet (no checkpoint, no CLI config). */
export const OFFLINE_ENV = { TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
