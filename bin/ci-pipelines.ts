// The pipelines `slipway ci gitlab|github` writes for a repository of cluster files: per cluster,
// validate and synthesize on every merge request and on the main branch, `terraform plan` with
// the saved plan and a readable summary kept, and on the main branch the saved plan applied
// behind a manual approval per region (an environment per region), one apply at a time per
// cluster. Only a change to a cluster's own file (or to the slipway version in package.json /
// package-lock.json, which changes what every file synthesizes to) starts its jobs.
//
// Everything here is data from validated cluster files: names are DNS labels, regions cloud names,
// paths checked by ci.ts; the YAML library quotes what YAML needs, and every value that lands in
// a shell line goes through shellWord.
import { stringify } from "yaml";
import type { CiVariable } from "../clusters/model/cloud";
import { shellWord } from "../clusters/model/escape";

export interface CiCluster {
  /** the cluster file, relative to the repository's root, with / */
  file: string;
  name: string;
  cloud: string;
  region: string;
  /** the CI variables its plan and apply need: the cloud's, the DNS provider's, the state backend's */
  variables: CiVariable[];
}

export interface PipelineOptions {
  terraform: "terraform" | "tofu";
  branch: string;
}

/** What marks a file as one `slipway ci` wrote (so it may write it again). */
export const CI_MARK = "# Written by `slipway ci";

/** files whose change restarts every cluster's jobs: the slipway version decides what each file synthesizes to */
const EVERYONE = ["package.json", "package-lock.json"];

const stackDir = (c: CiCluster) => `cdktf.out/stacks/${c.name}`;
/** the environment of a cluster's region: where its credentials live and who approves its applies */
const environment = (c: CiCluster, sep: string) => `${c.cloud}${sep}${c.region.replace(/[^A-Za-z0-9_.-]/g, "-")}`;

/** regions in order, each with its clusters in order: the pipeline lists jobs grouped so */
function byRegion(clusters: CiCluster[]): CiCluster[] {
  return [...clusters].sort((a, b) =>
    environment(a, "/") === environment(b, "/") ? a.name.localeCompare(b.name) : environment(a, "/").localeCompare(environment(b, "/")),
  );
}

function header(kind: string, clusters: CiCluster[], sep: string, secretsWhere: string[], approve: string[]): string {
  const lines = [
    `${CI_MARK} ${kind}\` from ${clusters.length} cluster file${clusters.length === 1 ? "" : "s"}. Edit the cluster files, not this:`,
    "# run it again after adding, renaming or removing one.",
    "#",
    "# Credentials come only from CI variables, never from the cluster files or this file: one",
    "# environment per region, where each cluster's plan and apply jobs run, holds them.",
    ...secretsWhere.map((l) => `# ${l}`),
  ];
  const regions = new Map<string, CiCluster[]>();
  for (const c of byRegion(clusters)) regions.set(environment(c, sep), [...(regions.get(environment(c, sep)) ?? []), c]);
  for (const [env, cs] of regions) {
    lines.push("#", `# environment ${env}: ${cs.map((c) => `${c.name} (${c.file})`).join(", ")}`);
    const seen = new Set<string>();
    for (const v of cs.flatMap((c) => c.variables)) {
      if (seen.has(v.name)) continue;
      seen.add(v.name);
      lines.push(`#   ${v.name}${v.file ? " (a file)" : ""}: ${v.what}`);
    }
  }
  lines.push("#", ...approve.map((l) => `# ${l}`), "");
  return lines.join("\n");
}

export function gitlabPipeline(clusters: CiCluster[], opts: PipelineOptions): string {
  const tf = "$TF";
  const jobs: Record<string, unknown> = {};
  const needTf = `command -v "$TF" >/dev/null || { echo "the job image ($SLIPWAY_IMAGE) has no $TF: set SLIPWAY_IMAGE to an image with Node.js >= 20 and $TF" >&2; exit 1; }`;
  for (const c of byRegion(clusters)) {
    const id = `${environment(c, "/")}:${c.name}`;
    const dir = shellWord(stackDir(c));
    const changes = [c.file, ...EVERYONE];
    const rules = [
      { if: '$CI_PIPELINE_SOURCE == "merge_request_event"', changes },
      { if: `$CI_COMMIT_BRANCH == ${JSON.stringify(opts.branch)}`, changes },
    ];
    jobs[`validate:${id}`] = {
      extends: ".slipway",
      stage: "validate",
      needs: [],
      rules,
      script: [`npx slipway validate ${shellWord(c.file)}`],
    };
    jobs[`synth:${id}`] = {
      extends: ".slipway",
      stage: "synth",
      needs: [`validate:${id}`],
      rules,
      script: [`npx slipway synth ${shellWord(c.file)}`],
      artifacts: { name: `synth-${c.name}`, expire_in: "1 week", paths: [`${stackDir(c)}/`] },
    };
    jobs[`plan:${id}`] = {
      extends: ".slipway",
      stage: "plan",
      needs: [`synth:${id}`],
      rules,
      environment: { name: environment(c, "/"), action: "prepare" },
      before_script: [needTf, "$SLIPWAY_INSTALL"],
      script: [
        `${tf} -chdir=${dir} init -input=false -no-color`,
        `${tf} -chdir=${dir} plan -input=false -no-color -lock-timeout=10m -out=plan.tfplan`,
        // the JSON form holds every value, secrets too: read once for the summary, never kept
        `${tf} -chdir=${dir} show -json plan.tfplan > ${dir}/plan.json`,
        `npx slipway ci summary ${dir}/plan.json --gitlab-report ${dir}/plan-report.json | tee ${dir}/plan-summary.md`,
        `rm -f ${dir}/plan.json`,
      ],
      artifacts: {
        name: `plan-${c.name}`,
        // the saved plan holds the state's values (keys): only project members may download it
        access: "developer",
        expire_in: "1 week",
        paths: [
          `${stackDir(c)}/cdk.tf.json`,
          `${stackDir(c)}/.terraform.lock.hcl`,
          `${stackDir(c)}/plan.tfplan`,
          `${stackDir(c)}/plan-summary.md`,
        ],
        reports: { terraform: `${stackDir(c)}/plan-report.json` },
      },
    };
    jobs[`apply:${id}`] = {
      extends: ".slipway",
      stage: "apply",
      needs: [`plan:${id}`],
      rules: [{ if: `$CI_COMMIT_BRANCH == ${JSON.stringify(opts.branch)}`, changes, when: "manual" }],
      // the pipeline waits for the approval instead of passing by the job
      allow_failure: false,
      environment: { name: environment(c, "/"), action: "start" },
      // one apply at a time per cluster, in the order the pipelines came
      resource_group: `slipway-${c.name}`,
      before_script: [needTf],
      script: [`${tf} -chdir=${dir} init -input=false -no-color`, `${tf} -chdir=${dir} apply -input=false -no-color plan.tfplan`],
    };
  }
  const doc = {
    workflow: {
      rules: [
        { if: '$CI_PIPELINE_SOURCE == "merge_request_event"' },
        // a branch with an open merge request runs its merge request pipeline only
        { if: "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS", when: "never" },
        { if: "$CI_COMMIT_BRANCH" },
      ],
    },
    stages: ["validate", "synth", "plan", "apply"],
    variables: {
      TF: opts.terraform,
      SLIPWAY_IMAGE: "node:22-bookworm",
      SLIPWAY_INSTALL: "npm ci --no-audit --no-fund",
      TF_IN_AUTOMATION: "true",
      npm_config_cache: "$CI_PROJECT_DIR/.npm",
    },
    ".slipway": {
      image: "$SLIPWAY_IMAGE",
      cache: { key: { files: ["package-lock.json"] }, paths: [".npm/"] },
      before_script: ["$SLIPWAY_INSTALL"],
    },
    ...jobs,
  };
  return (
    header(
      "gitlab",
      clusters,
      "/",
      ["Settings → CI/CD → Variables: masked, protected, with the environment's name as its scope."],
      [
        "Approvals: protect each environment (Settings → CI/CD → Protected environments) with",
        "required approvers; its apply jobs are manual and wait for them.",
        "Image: the jobs run in SLIPWAY_IMAGE; plan and apply need one with Node.js >= 20 and $TF",
        "(terraform or tofu, the variable TF) — build one, or set SLIPWAY_IMAGE to yours.",
      ],
    ) + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })
  );
}

export function githubWorkflow(clusters: CiCluster[], opts: PipelineOptions): string {
  const sorted = byRegion(clusters);
  const output = (c: CiCluster) => `c_${c.name.replace(/-/g, "_")}`;
  const paths = [...sorted.map((c) => c.file), ...EVERYONE];
  const setupTf =
    opts.terraform === "tofu"
      ? { uses: "opentofu/setup-opentofu@v1", with: { tofu_wrapper: false } }
      : { uses: "hashicorp/setup-terraform@v3", with: { terraform_wrapper: false } };
  const node = [
    { uses: "actions/checkout@v4" },
    { uses: "actions/setup-node@v4", with: { "node-version": 22, cache: "npm" } },
    { run: "npm ci --no-audit --no-fund" },
  ];
  // which clusters a push or pull request touched: a job of its own, so each cluster's jobs run
  // only for a change to its file (a new branch, or a change to package*.json, runs them all)
  const changed = [
    'changed=$(git diff --name-only "$BASE" "$HEAD" 2>/dev/null) || changed=ALL',
    'all=no; for f in package.json package-lock.json; do grep -qxF "$f" <<<"$changed" && all=yes; done; [ "$changed" = ALL ] && all=yes',
    ...sorted.map(
      (c) =>
        `if [ $all = yes ] || grep -qxF ${shellWord(c.file)} <<<"$changed"; then echo "${output(c)}=true"; else echo "${output(c)}=false"; fi >> "$GITHUB_OUTPUT"`,
    ),
  ].join("\n");
  const jobs: Record<string, unknown> = {
    changes: {
      "runs-on": "ubuntu-latest",
      outputs: Object.fromEntries(sorted.map((c) => [output(c), expr(`steps.changed.outputs.${output(c)}`)])),
      steps: [
        { uses: "actions/checkout@v4", with: { "fetch-depth": 0 } },
        {
          id: "changed",
          env: {
            BASE: expr("github.event.pull_request.base.sha || github.event.before"),
            HEAD: expr("github.event.pull_request.head.sha || github.sha"),
          },
          run: changed,
        },
      ],
    },
  };
  for (const c of sorted) {
    const id = c.name;
    const dir = shellWord(stackDir(c));
    const when = `needs.changes.outputs.${output(c)} == 'true'`;
    jobs[`validate-${id}`] = {
      name: `validate ${environment(c, "/")} ${c.name}`,
      needs: ["changes"],
      if: when,
      "runs-on": "ubuntu-latest",
      steps: [
        ...node,
        { run: `npx slipway validate ${shellWord(c.file)}` },
        { run: `npx slipway synth ${shellWord(c.file)}` },
        { uses: "actions/upload-artifact@v4", with: { name: `synth-${c.name}`, path: stackDir(c), "retention-days": 7 } },
      ],
    };
    jobs[`plan-${id}`] = {
      name: `plan ${environment(c, "/")} ${c.name}`,
      needs: ["changes", `validate-${id}`],
      if: when,
      "runs-on": "ubuntu-latest",
      // the region's credentials without its approval: the apply's environment is the protected one
      environment: `${environment(c, "-")}-plan`,
      env: secretEnv(c),
      steps: [
        ...node,
        { uses: "actions/download-artifact@v4", with: { name: `synth-${c.name}`, path: stackDir(c) } },
        ...fileSecrets(c),
        setupTf,
        { run: `${opts.terraform} -chdir=${dir} init -input=false -no-color` },
        { run: `${opts.terraform} -chdir=${dir} plan -input=false -no-color -lock-timeout=10m -out=plan.tfplan` },
        {
          // the JSON form holds every value, secrets too: read once for the summary, never kept
          run: [
            `${opts.terraform} -chdir=${dir} show -json plan.tfplan > ${dir}/plan.json`,
            `npx slipway ci summary ${dir}/plan.json >> "$GITHUB_STEP_SUMMARY"`,
            `rm -f ${dir}/plan.json`,
          ].join("\n"),
        },
        {
          uses: "actions/upload-artifact@v4",
          with: {
            name: `plan-${c.name}`,
            path: [`${stackDir(c)}/cdk.tf.json`, `${stackDir(c)}/.terraform.lock.hcl`, `${stackDir(c)}/plan.tfplan`].join("\n"),
            "include-hidden-files": true,
            "retention-days": 7,
          },
        },
      ],
    };
    jobs[`apply-${id}`] = {
      name: `apply ${environment(c, "/")} ${c.name}`,
      needs: ["changes", `plan-${id}`],
      if: `github.event_name == 'push' && github.ref == 'refs/heads/${opts.branch}' && ${when}`,
      "runs-on": "ubuntu-latest",
      // required reviewers on this environment are the manual approval
      environment: environment(c, "-"),
      // one apply at a time per cluster; a waiting one is never cancelled
      concurrency: { group: `slipway-apply-${c.name}`, "cancel-in-progress": false },
      env: secretEnv(c),
      steps: [
        { uses: "actions/download-artifact@v4", with: { name: `plan-${c.name}`, path: stackDir(c) } },
        ...fileSecrets(c),
        setupTf,
        { run: `${opts.terraform} -chdir=${dir} init -input=false -no-color` },
        { run: `${opts.terraform} -chdir=${dir} apply -input=false -no-color plan.tfplan` },
      ],
    };
  }
  const doc = {
    name: "slipway",
    on: {
      pull_request: { paths },
      push: { branches: [opts.branch], paths },
    },
    permissions: { contents: "read" },
    env: { TF_IN_AUTOMATION: "true" },
    jobs,
  };
  return (
    header(
      "github",
      clusters,
      "-",
      [
        "Settings → Environments → <environment> → Environment secrets; the plan jobs run in",
        "<environment>-plan, which needs the same secrets and no reviewers.",
      ],
      ["Approvals: give each environment (not the -plan ones) required reviewers: its apply job", "waits for them."],
    ) + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })
  );
}

/** a GitHub expression, evaluated by Actions (never a value of ours inside one but names) */
const expr = (e: string) => `\${{ ${e} }}`;

/** the cluster's plain credentials, each from the environment's secret of its name */
const secretEnv = (c: CiCluster) => Object.fromEntries(c.variables.filter((v) => !v.file).map((v) => [v.name, expr(`secrets.${v.name}`)]));

/** a file credential (clouds.yaml, AWS config): the secret's content written to a private file the variable names */
function fileSecrets(c: CiCluster): unknown[] {
  return c.variables
    .filter((v) => v.file)
    .map((v) => ({
      name: `${v.name} from its secret`,
      env: { CONTENT: expr(`secrets.${v.name}`) },
      run: `f="$RUNNER_TEMP/${v.name}"; (umask 077; printf '%s\\n' "$CONTENT" > "$f"); echo "${v.name}=$f" >> "$GITHUB_ENV"`,
    }));
}
