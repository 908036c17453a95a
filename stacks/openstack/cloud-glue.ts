// What the OpenStack cloud controller manager and the Cinder CSI driver sign in with: one
// application credential of the project, made by Terraform with only the roles the cluster file
// names (addons.cloudController.roles, the member role by default) and `unrestricted: false`, so
// it can neither make nor delete other credentials. Its secret lives in state and reaches the
// masters' configs as the cloud.conf of the Secret kube-system/cloud-config
// (bootstrap/addons/cloud.ts). Keystone's URL comes from the catalog of Terraform's own token
// (listing endpoints needs an administrator), the region from the file or the token.
import { Fn, TerraformLocal, type TerraformStack } from "cdktf";
import type { OpenstackClusterConfig } from "./cloud";
import { openstackCloudConf } from "./cloud-addons";
import { DataOpenstackIdentityAuthScopeV3 } from "./gen/data-openstack-identity-auth-scope-v3";
import { IdentityApplicationCredentialV3 } from "./gen/identity-application-credential-v3";
import type { ClusterNetwork } from "./network";

/**
 * Keystone's public URL and the project's region, from the catalog of Terraform's own token
 * (listing endpoints needs an administrator); made once per stack, on first use.
 */
export class Identity {
  private made?: { authUrl: string; region: string };
  constructor(
    private readonly stack: TerraformStack,
    private readonly config: OpenstackClusterConfig,
  ) {}
  get(): { authUrl: string; region: string } {
    if (this.made) return this.made;
    const scope = new DataOpenstackIdentityAuthScopeV3(this.stack, "auth_scope", { name: "slipway" });
    const authUrl = new TerraformLocal(
      this.stack,
      "keystone_url",
      `\${flatten([for s in ${scope.fqn}.service_catalog : [for e in s.endpoints : e.url if e.interface == "public"] if s.type == "identity"])[0]}`,
    );
    this.made = { authUrl: authUrl.asString, region: this.config.openstack.region ?? scope.region };
    return this.made;
  }
}

/** cloud.conf as a Terraform expression (made on first use: only when an addon needs it). */
export function cloudConfig(stack: TerraformStack, config: OpenstackClusterConfig, net: ClusterNetwork, identity: Identity): () => string {
  let made: string | undefined;
  return () => {
    if (made) return made;
    const cred = new IdentityApplicationCredentialV3(stack, "cloud_controllers", {
      name: `${config.name}-cloud-controllers`,
      description: `${config.name}: the cloud controller manager and Cinder CSI driver inside the cluster`,
      roles: config.addons.cloudController.roles,
      unrestricted: false,
    });
    const { authUrl, region } = identity.get();
    // a format string and its arguments: cdktf cannot pass a template with references into jsonencode
    const lb = config.addons.cloudController.loadBalancers ? [net.externalNetworkId, net.subnet.id] : [];
    const format = openstackCloudConf({
      authUrl: "%s",
      region: "%s",
      credentialId: "%s",
      credentialSecret: "%s",
      ...(lb.length ? { loadBalancer: { floatingNetworkId: "%s", subnetId: "%s" } } : {}),
    });
    const conf = Fn.format(format, [authUrl, region, cred.id, cred.secret, ...lb]);
    made = conf;
    return conf;
  };
}
