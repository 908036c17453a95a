// systemd's own reading of unit files, without a running systemd: `systemd --test` loads the units
// of a folder (plus the host's) and dumps them as the manager would run them — for Exec lines the
// command line after its word splitting, quoting and specifier (%) expansion. It refuses to run
// as root, so it runs as nobody on a copy the test makes readable.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { tmp } from "./clusters";
import { requireTool } from "./ignition";
import { NOBODY } from "./run";

/** The words of a command line as systemd's dump prints it (shell-style quoting, backslash escapes). */
function dumpWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " ") i++;
    if (i >= line.length) break;
    let w = "";
    let quoted = false;
    for (; i < line.length; i++) {
      const c = line[i] as string;
      if (c === '"') {
        quoted = !quoted;
        continue;
      }
      if (c === "\\" && quoted) {
        // C escapes, as systemd prints them
        const e = line[++i] ?? "";
        const named: Record<string, string> = { t: "\t", n: "\n", r: "\r", a: "\u0007", b: "\b", f: "\f", v: "\v" };
        if (e === "x") {
          w += String.fromCharCode(Number.parseInt(line.slice(i + 1, i + 3), 16));
          i += 2;
        } else w += named[e] ?? e;
        continue;
      }
      if (c === " " && !quoted) break;
      w += c;
    }
    words.push(w);
  }
  return words;
}

/**
 * The argument vector of `unit`'s ExecStart as its program receives it (variables are expanded at
 * start, so "$$" — an escaped "$" — becomes "$"; a unit here has no Environment= it relies on).
 */
export function systemdExecStart(unitDir: string, unit: string): string[] {
  requireTool("/lib/systemd/systemd", "systemd");
  const t = tmp("slipway-systemd-");
  try {
    for (const f of readdirSync(unitDir)) cpSync(join(unitDir, f), join(t.dir, f), { recursive: true, dereference: false });
    chmodSync(t.dir, 0o755);
    spawnSync("chmod", ["-R", "a+rX", t.dir]);
    const r = spawnSync(
      "setpriv",
      [
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        "--clear-groups",
        "/lib/systemd/systemd",
        "--test",
        "--system",
        `--unit=${unit}`,
        "--no-pager",
      ],
      { env: { ...process.env, SYSTEMD_UNIT_PATH: `${t.dir}:` }, encoding: "utf8", timeout: 30_000 },
    );
    const lines = r.stdout.split("\n");
    const start = lines.findIndex((l) => l.trim() === `-> Unit ${unit}:`);
    if (start < 0) throw new Error(`systemd --test did not load ${unit}:\n${r.stderr}`);
    const end = lines.findIndex((l, i) => i > start && l.trim().startsWith("-> Unit "));
    const cmd = lines.slice(start, end < 0 ? undefined : end).find((l) => l.includes("Command Line:"));
    if (!cmd) throw new Error(`systemd --test shows no command line for ${unit}`);
    return dumpWords(cmd.slice(cmd.indexOf("Command Line:") + "Command Line:".length).trim()).map((w) => w.replace(/\$\$/g, "$"));
  } finally {
    t.cleanup();
  }
}

/** A unit file's sections as systemd reads them: continuation lines joined, comments dropped. */
export function unitSections(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = "";
  for (const line of text.replace(/\\\n/g, " ").split("\n")) {
    const t = line.trim();
    if (!t || t.startsWith("#") || t.startsWith(";")) continue;
    const s = /^\[(.+)\]$/.exec(t);
    if (s) {
      section = s[1] as string;
      out[section] = out[section] ?? {};
      continue;
    }
    const i = t.indexOf("=");
    const key = t.slice(0, i).trim();
    const settings = out[section] ?? {};
    out[section] = settings;
    const values = settings[key] ?? [];
    settings[key] = values;
    const value = t.slice(i + 1).trim();
    if (value === "")
      values.length = 0; // an empty assignment resets a list
    else values.push(value);
  }
  return out;
}

/** A systemd time span in seconds ("5", "5s", "1min 30s", "100ms", "infinity"). */
export function timeSpan(text: string): number {
  if (text === "infinity") return Number.POSITIVE_INFINITY;
  const units: Record<string, number> = { us: 1e-6, ms: 1e-3, s: 1, sec: 1, m: 60, min: 60, h: 3600, d: 86400 };
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]*)/g)) {
    const unit = units[m[2] || "s"];
    if (unit === undefined) throw new Error(`not a systemd time span: ${text}`);
    total += Number(m[1]) * unit;
  }
  return total;
}

/**
 * Whether systemd would ever stop restarting this service for good: with Restart= set it gives up
 * (the unit stays failed until someone intervenes) once more than StartLimitBurst starts fall
 * within StartLimitIntervalSec. Restarts come no faster than RestartSec apart, so that can happen
 * only if burst × RestartSec < interval. Defaults as systemd's: 10 s, 5 starts, 100 ms. The limit
 * settings belong in [Unit]; in [Service] systemd still reads StartLimitBurst and the old name
 * StartLimitInterval, and ignores StartLimitIntervalSec.
 */
export function startLimitCanTrip(text: string): boolean {
  const u = unitSections(text);
  const last = (section: string, key: string) => u[section]?.[key]?.at(-1);
  const restart = last("Service", "Restart") ?? "no";
  if (restart === "no") return false;
  const interval = timeSpan(last("Unit", "StartLimitIntervalSec") ?? last("Service", "StartLimitInterval") ?? "10s");
  if (interval === 0) return false;
  const burst = Number(last("Unit", "StartLimitBurst") ?? last("Service", "StartLimitBurst") ?? 5);
  const restartSec = timeSpan(last("Service", "RestartSec") ?? "100ms");
  return burst * restartSec < interval;
}
