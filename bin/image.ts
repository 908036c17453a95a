// `slipway image …`: fetch, build and upload Flatcar images (images/). Arguments are checked here,
// before anything is downloaded or written; the work is in images/, loaded only when needed.
import { type Command, Option } from "commander";
import { UsageError } from "./errors";

interface ReleaseOpts {
  channel: "stable" | "beta" | "alpha" | "lts";
  version: string;
  arch: "amd64" | "arm64";
  baseUrl?: string;
  signingKey?: string;
  cacheDir?: string;
}

/** The options naming a Flatcar release, shared by fetch and build. */
function releaseOptions(c: Command): Command {
  return c
    .addOption(new Option("--channel <channel>", "release channel").choices(["stable", "beta", "alpha", "lts"]).default("stable"))
    .option("--version <version>", "release version, or current", "current")
    .addOption(new Option("--arch <arch>", "architecture").choices(["amd64", "arm64"]).default("amd64"))
    .option("--base-url <url>", "release server (a mirror); default https://<channel>.release.flatcar-linux.net")
    .option("--signing-key <file>", "Flatcar's image signing key (default: the one shipped with slipway)")
    .option("--cache-dir <dir>", "slipway's cache (default: $SLIPWAY_CACHE or ~/.cache/slipway)");
}

function checkRelease(opts: ReleaseOpts): ReleaseOpts {
  if (opts.version !== "current" && !/^\d+\.\d+\.\d+$/.test(opts.version))
    throw new UsageError(`--version must be a release such as 4230.2.3, or current; not "${opts.version}"`);
  if (opts.baseUrl && !/^https?:\/\//.test(opts.baseUrl)) throw new UsageError(`--base-url must be an http(s) URL, not "${opts.baseUrl}"`);
  return opts;
}

export function imageCommands(cli: Command): void {
  const image = cli.command("image").description("fetch, bake and upload Flatcar images");

  releaseOptions(
    image.command("fetch").description("download Flatcar's OpenStack image, verify its signature and SHA-512, and cache it"),
  ).action(async (opts: ReleaseOpts) => {
    const { fetchImage } = require("../images/fetch") as typeof import("../images/fetch");
    const r = await fetchImage(checkRelease(opts));
    process.stdout.write(`${r.path}\n`);
  });

  releaseOptions(
    image
      .command("build")
      .description("make an image for Glance from a verified Flatcar release (or --image), optionally with Kubernetes baked in")
      .option("--image <file>", "start from this disk image instead of a Flatcar release")
      .option("--bake-kubernetes <file|url#sha512=hex>", "Flatcar's Kubernetes system extension to bake in (kubelet, kubectl, CNI plugins)")
      .option(
        "--kubernetes-version <version>",
        "its Kubernetes version, when the file name does not say (kubernetes-v1.36.1-x86-64.raw does)",
      )
      .option("--out <file>", "where to write the image (default: ./flatcar-<channel>-<version>-<arch>[-kubernetes-<v>].qcow2)")
      .addOption(new Option("--format <format>", "output format").choices(["qcow2", "raw"]).default("qcow2"))
      .option("--compress", "compress the qcow2 (smaller upload, slower build)")
      .addOption(
        new Option("--method <method>", "how to write into the image: loop (needs root), debugfs (no root), auto")
          .choices(["auto", "loop", "debugfs"])
          .default("auto"),
      ),
  ).action(
    async (
      opts: ReleaseOpts & {
        image?: string;
        bakeKubernetes?: string;
        kubernetesVersion?: string;
        out?: string;
        format: "qcow2" | "raw";
        compress?: boolean;
        method: "auto" | "loop" | "debugfs";
      },
    ) => {
      checkRelease(opts);
      if (opts.kubernetesVersion && !/^\d+\.\d+\.\d+$/.test(opts.kubernetesVersion))
        throw new UsageError(`--kubernetes-version must be a release such as 1.36.1, not "${opts.kubernetesVersion}"`);
      if (opts.kubernetesVersion && !opts.bakeKubernetes)
        throw new UsageError("--kubernetes-version only makes sense with --bake-kubernetes");
      if (opts.compress && opts.format !== "qcow2") throw new UsageError("--compress needs --format qcow2");
      if (opts.method === "loop" && process.getuid?.() !== 0)
        throw new UsageError("--method loop needs root (loop devices and mount); use --method debugfs");
      const { buildImage } = require("../images/build") as typeof import("../images/build");
      const built = await buildImage({
        image: opts.image,
        release: {
          channel: opts.channel,
          version: opts.version,
          arch: opts.arch,
          baseUrl: opts.baseUrl,
          signingKey: opts.signingKey,
          cacheDir: opts.cacheDir,
        },
        bake: opts.bakeKubernetes,
        kubernetesVersion: opts.kubernetesVersion,
        out: opts.out,
        format: opts.format,
        compress: opts.compress,
        method: opts.method,
      });
      process.stdout.write(`${built.path}\n`);
    },
  );

  image
    .command("upload")
    .description("upload an image to Glance (Keystone v3), verified by SHA-512; an identical image already there is reused")
    .argument("[file]", "the image (default: the most recently fetched Flatcar release in the cache)")
    .requiredOption("--name <name>", "Glance image name (clusters select the most recent image by name or by properties)")
    .option("--cloud <name>", "cloud in clouds.yaml (default: $OS_CLOUD, else the OS_* environment)")
    .option("--property <key=value>", "image property, repeatable (adds to or overrides os_distro, os_version, …)", collectProperty, {})
    .addOption(
      new Option("--visibility <visibility>", "who may use the image")
        .choices(["private", "shared", "community", "public"])
        .default("private"),
    )
    .option("--cache-dir <dir>", "slipway's cache, where the default file is looked for")
    .action(
      async (
        file: string | undefined,
        opts: { name: string; cloud?: string; property: Record<string, string>; visibility: "private"; cacheDir?: string },
      ) => {
        if (!opts.name.trim() || opts.name.length > 255) throw new UsageError("--name must be 1 to 255 characters");
        const { uploadImage } = require("../images/upload") as typeof import("../images/upload");
        const { latestCached } = require("../images/fetch") as typeof import("../images/fetch");
        let path = file;
        if (!path) {
          path = latestCached(opts.cacheDir);
          process.stderr.write(`No file given: uploading the most recently fetched image, ${path}\n`);
        }
        const r = await uploadImage({
          file: path,
          name: opts.name,
          cloud: opts.cloud,
          properties: opts.property,
          visibility: opts.visibility,
        });
        process.stdout.write(`${r.id}\n`);
      },
    );
}

/** --property k=v, repeatable; Glance's own fields are refused (they have their own flags or are Glance's). */
function collectProperty(value: string, previous: Record<string, string>): Record<string, string> {
  const m = /^([A-Za-z0-9_:.-]+)=(.*)$/s.exec(value);
  if (!m) throw new UsageError(`--property ${value}: expected key=value (key: letters, digits, _ : . -)`);
  const { RESERVED } = require("../images/upload") as typeof import("../images/upload");
  const key = m[1] as string;
  if (RESERVED.has(key))
    throw new UsageError(
      `--property ${key}: that is Glance's own field, not a property${key === "visibility" ? " (use --visibility)" : ""}`,
    );
  return { ...previous, [key]: m[2] as string };
}
