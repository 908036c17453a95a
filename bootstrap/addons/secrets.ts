// The credentials addons take from outside the cluster. Each comes from the environment at apply
// time as a sensitive Terraform variable (TF_VAR_<variable>), lives in state and in the masters'
// configs (served from Swift/S3, never inline user_data: the model's rules see to that), and
// reaches the cluster as a Secret the masters apply. `slipway render` reads the same variable
// from its own environment. The pattern keeps each safe to embed in JSON and refuses a pasted
// "Bearer …" or a quoted value with one clear line at plan time.
import type { AddonSecret } from "../node";

export const ADDON_SECRETS: Record<
  AddonSecret,
  { variable: string; description: string; pattern: string; maxLength: number; refused: string }
> = {
  "cloudflare-dns01-token": {
    variable: "cloudflare_dns01_token",
    description:
      "Cloudflare API token with Zone:DNS:Edit on the cluster's zone, for cert-manager's DNS-01 (the ingress wildcard certificate)",
    pattern: "^[A-Za-z0-9_-]{20,128}$",
    maxLength: 128,
    refused:
      "cloudflare_dns01_token must be a Cloudflare API token: 20 to 128 letters, digits, '_' and '-' (the token itself, without 'Bearer')",
  },
};

/** The environment variable `slipway render` and Terraform read a secret from. */
export const secretEnv = (name: AddonSecret): string => `TF_VAR_${ADDON_SECRETS[name].variable}`;
