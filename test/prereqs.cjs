// Runs before the test suite (npm test): the suite uses real components (Ignition, systemd,
// shellcheck, ...) and fails without them. On Debian as root, missing packages are installed;
// elsewhere this names the command to run, and stops.
"use strict";
const { existsSync, readFileSync } = require("node:fs");
const { join } = require("node:path");
const { spawnSync } = require("node:child_process");

const wanted = readFileSync(join(__dirname, "debian-packages.txt"), "utf8")
  .split("\n")
  .map((l) => l.replace(/#.*/, "").trim())
  .filter(Boolean)
  .map((l) => l.split(/\s+/));
// Terraform (or OpenTofu) evaluates synthesized expressions; no Debian or npm package has it, so
// it must already be on the machine (CI machines carry /usr/local/bin/terraform).
const onPath = (name) => spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim() !== "";
if (!onPath("terraform") && !onPath("tofu")) {
  console.error("The test suite needs terraform (>= 1.5) or tofu on PATH: it evaluates the synthesized Terraform expressions.");
  process.exit(1);
}

const missing = [...new Set(wanted.filter(([, path]) => !existsSync(path)).map(([pkg]) => pkg))];
if (missing.length === 0) process.exit(0);

const command = `apt-get install -y --no-install-recommends ${missing.join(" ")}`;
const canInstall = process.getuid && process.getuid() === 0 && existsSync("/usr/bin/apt-get");
if (!canInstall) {
  console.error(`The test suite needs these Debian packages, which are missing: ${missing.join(", ")}\nInstall them with: sudo ${command}`);
  process.exit(1);
}
console.error(`Installing what the test suite runs: ${missing.join(", ")}`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
for (const args of [["update", "-qq"], command.split(" ").slice(1)]) {
  const r = spawnSync("apt-get", args, { stdio: "inherit", env });
  if (r.status !== 0) {
    console.error(`apt-get ${args.join(" ")} failed`);
    process.exit(1);
  }
}
