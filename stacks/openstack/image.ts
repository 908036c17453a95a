// The Flatcar image: by id, or the most recent Glance image with a name or with properties (as
// `slipway image upload` sets them). Instances ignore later image changes (see machines.ts), so a new
// upload is rolled out deliberately, machine by machine, never by surprise.
import type { TerraformStack } from "cdktf";
import type { OpenstackClusterConfig } from "./cloud";
import { DataOpenstackImagesImageV2 } from "./gen/data-openstack-images-image-v2";

export function image(stack: TerraformStack, config: OpenstackClusterConfig): string {
  const { image } = config;
  if (image.id) return image.id;
  const lookup = new DataOpenstackImagesImageV2(stack, "image", {
    mostRecent: true,
    ...(image.name ? { name: image.name } : {}),
    ...(image.properties ? { properties: image.properties } : {}),
  });
  return lookup.id;
}
